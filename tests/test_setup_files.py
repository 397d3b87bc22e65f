"""The setup files agree with each other, and `make lab` really serves the course."""

import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pins(name):
    """{package: version} of a requirements file, each line pinned with == (an `-r` include is skipped)."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            package, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            pins[package.strip().lower()] = version.strip()
    return pins


def _requirements():
    return _pins("requirements.txt")


def _environment_pip_pins():
    text = (ROOT / "environment.yml").read_text()
    pins = {}
    for match in re.finditer(r"^\s+-\s+([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.M):
        pins[match.group(1).lower()] = match.group(2)
    return pins, text


def test_environment_yml_agrees_with_requirements():
    requirements = _requirements()
    conda_pins, text = _environment_pip_pins()
    assert conda_pins == requirements, (
        "environment.yml and requirements.txt disagree; requirements.txt is the source of truth.\n"
        f"only in requirements.txt: {sorted(set(requirements.items()) - set(conda_pins.items()))}\n"
        f"only in environment.yml: {sorted(set(conda_pins.items()) - set(requirements.items()))}"
    )
    assert re.search(r"^\s+-\s+python=3\.11\s*$", text, flags=re.M), "environment.yml must pin python=3.11"
    assert "-e ." in text, "environment.yml must install the helpers package"


def test_stack_is_what_the_course_promises():
    required = {"tensorflow", "keras", "jupyterlab", "matplotlib", "seaborn", "nbval", "pytest"}
    assert required <= set(_requirements())
    assert _requirements()["keras"].startswith("3.")


def test_setup_is_up_to_date_after_make(tmp_path):
    """After `make test` set things up, the install step has nothing left to do."""
    result = subprocess.run(["make", "--question", ".venv/.installed"], cwd=ROOT)
    assert result.returncode == 0, "the .venv install stamp is stale: `make` would reinstall"


def test_make_lab_serves_the_notebooks(start_lab):
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(ROOT / "build" / "jupyter-runtime")}
    lab = start_lab(
        lambda options: ["make", "--no-print-directory", "lab", f"LAB_ARGS={' '.join(options)}"], cwd=ROOT, env=env
    )
    listing = lab.api("contents/")
    served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    expected = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected and served == expected
    with urllib.request.urlopen(f"{lab.url}/lab?token={lab.token}", timeout=10) as response:
        assert response.status == 200 and b"JupyterLab" in response.read()


def test_colab_stack_is_pinned_and_not_newer_than_the_course():
    colab, course = _pins("requirements-colab.txt"), _requirements()

    def release(version):
        return tuple(int(part) for part in version.split(".")[:3])

    for package in ("tensorflow", "keras", "numpy", "pandas", "matplotlib", "seaborn"):
        assert package in colab, f"requirements-colab.txt should pin Colab's {package}"
        assert release(colab[package]) <= release(course[package]), (
            f"Colab's {package} {colab[package]} is newer than the course's pin {course[package]}: "
            "the bootstrap's 'oldest supported' would be wrong")


def test_instructor_install_is_the_course_plus_pinned_nbgrader():
    text = (ROOT / "requirements-instructor.txt").read_text()
    assert "-r requirements.txt" in text.splitlines()
    assert _pins("requirements-instructor.txt") == {"nbgrader": "0.9.6"}
    assert "nbgrader" not in _requirements(), "nbgrader stays out of the learner's install"
