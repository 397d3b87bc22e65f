"""Colab: badges and bootstrap cells agree with the one setting, and the bootstrap really works."""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_badge_and_bootstrap_agree_with_the_setting(path):
    repository, branch = colab.setting()
    problem = colab.disagreement(json.loads(path.read_text()), path.name, repository, branch)
    assert problem is None, f"{problem}; run `make colab`"


def test_a_changed_setting_is_noticed_and_regenerated():
    path = NOTEBOOKS[0]
    notebook = json.loads(path.read_text())
    other = "https://github.com/someone-else/fork"
    assert colab.disagreement(notebook, path.name, other, "main") is not None
    regenerated = colab.regenerate(notebook, path.name, other, "main")
    assert colab.disagreement(regenerated, path.name, other, "main") is None
    assert "someone-else/fork/blob/main/notebooks/" + path.name in "".join(regenerated["cells"][0]["source"])
    assert len(regenerated["cells"]) == len(json.loads(path.read_text())["cells"]), "regenerating replaces, never duplicates"


def test_notebook_00_runs_in_a_simulated_colab(tmp_path):
    """Outside the repository, helpers not installed, google.colab importable: the bootstrap installs it."""
    # A Python environment that sees the course's dependencies but not `helpers`: a fresh venv whose
    # .pth names .venv's site-packages (a plain path entry: the editable install's own .pth is not run).
    venv = tmp_path / "colab-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    stand_in = tmp_path / "stand-in"
    (stand_in / "google" / "colab").mkdir(parents=True)
    (stand_in / "google" / "colab" / "__init__.py").write_text('"""A stand-in for Colab\'s module."""\n')

    source = tmp_path / "course-source"  # what the bootstrap installs from, in place of the GitHub repository
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source)

    work = tmp_path / "content"  # Colab's working directory: nothing of the course in it
    work.mkdir()
    shutil.copy(NOTEBOOKS[0], work)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(Path.home()), "PYTHONPATH": str(stand_in),
           "GRADIENTS_QUICK": "1", "GRADIENTS_COURSE_SOURCE": str(source),
           "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_FIND_LINKS": "", "JUPYTER_PLATFORM_DIRS": "1"}
    probe = subprocess.run([python, "-c", "import helpers"], cwd=work, env=env, capture_output=True, text=True)
    assert probe.returncode != 0, "helpers must not be importable before the bootstrap runs"

    result = subprocess.run([python, "-m", "nbconvert", "--to", "notebook", "--execute", "--output", "executed.ipynb",
                             NOTEBOOKS[0].name], cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    executed = json.loads((work / "executed.ipynb").read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    located = subprocess.run([python, "-c", "import helpers; print(helpers.__file__)"], cwd=work, env=env,
                             capture_output=True, text=True, check=True).stdout
    assert located.startswith(str(venv)), f"helpers should now come from the Colab environment, not {located}"


def _run_bootstrap(monkeypatch, capsys, versions):
    from importlib import metadata

    def version(name):
        if versions.get(name) is None:
            raise metadata.PackageNotFoundError(name)
        return versions[name]

    monkeypatch.setattr(metadata, "version", version)
    source = colab.expected_cells(NOTEBOOKS[0].name, *colab.setting())[1]["source"]
    exec(compile(source, "bootstrap", "exec"), {})  # google.colab is not importable here: no install
    return capsys.readouterr().out


def test_the_bootstrap_prints_the_versions_and_warns_only_when_they_are_older_than_colabs(monkeypatch, capsys):
    oldest = colab.oldest_supported()
    assert oldest == {"tensorflow": "2.20", "keras": "3.13"}, "requirements-colab.txt's pins changed: update this test and README"
    out = _run_bootstrap(monkeypatch, capsys, {"tensorflow": "2.20.0", "keras": "3.13.2"})
    assert "TensorFlow 2.20.0, Keras 3.13.2" in out and "WARNING" not in out
    out = _run_bootstrap(monkeypatch, capsys, {"tensorflow": "2.21.0", "keras": "3.12.9"})
    assert "WARNING: this runtime has Keras 3.12.9, older than the course supports" in out and "TensorFlow 2.21.0," in out
    out = _run_bootstrap(monkeypatch, capsys, {"tensorflow": "2.19.1", "keras": "2.15.0"})
    assert "WARNING: this runtime has TensorFlow 2.19.1 and Keras 2.15.0" in out
    out = _run_bootstrap(monkeypatch, capsys, {"tensorflow-cpu": "2.21.0", "keras": "3.15.1"})
    assert "TensorFlow 2.21.0, Keras 3.15.1" in out and "WARNING" not in out, "another TensorFlow distribution counts"
    out = _run_bootstrap(monkeypatch, capsys, {"tensorflow": "2.20.0rc1", "keras": None})
    assert "WARNING: this runtime has Keras (not installed)" in out and "TensorFlow" not in out.split("WARNING")[1].split("older")[0]
