"""The setup files agree with each other, and `make lab` really serves the course."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _requirements():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line!r} is not pinned with =="
            pins[name.strip().lower()] = version.strip()
    return pins


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


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_serves_the_notebooks():
    port, token = _free_port(), "unstable-gradients-test"
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(ROOT / "build" / "jupyter-runtime")}
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        listing, deadline = None, time.monotonic() + 90
        while time.monotonic() < deadline and lab.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents/?token={token}"
                with urllib.request.urlopen(url, timeout=5) as response:
                    listing = json.load(response)
                break
            except OSError:
                time.sleep(1)
        assert listing is not None, f"JupyterLab did not answer on port {port}:\n{lab.stdout.read1().decode()}"
        served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        expected = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
        assert expected and served == expected
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as response:
            assert response.status == 200 and b"JupyterLab" in response.read()
    finally:
        _stop(lab)


def _stop(process):
    """Stop the whole process group (make and the server it started), whatever state it is in."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
