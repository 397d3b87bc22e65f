"""Shared test fixtures: a JupyterLab server (the environment settings are in the repository's conftest.py)."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest


@dataclass
class LabServer:
    """A running JupyterLab server: where it listens, its token, its process."""

    url: str
    token: str
    process: subprocess.Popen
    log_path: Path

    def api(self, path, method="GET"):
        """JSON from the server's REST API (`path` after /api/), authenticated with the token."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def output(self):
        """What the server printed so far (it writes to a file, so reading never blocks)."""
        return self.log_path.read_text(errors="replace")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lab_options(port, token):
    """The options that keep a test's JupyterLab on loopback, on this port, behind this token."""
    return [
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]


@pytest.fixture
def start_lab(tmp_path):
    """Start JupyterLab with `command(options)`; wait until its REST API answers.

    `options` are the server options to pass on (loopback, a free port, a random token).

    Whatever happens in the test, the server's whole process group and every
    process it started (kernels run in process groups of their own) are stopped.
    """
    started = []

    def start(command, *, cwd, env, timeout=120):
        port, token = _free_port(), secrets.token_urlsafe(24)
        log_path = tmp_path / f"jupyterlab-{port}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                command(_lab_options(port, token)), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = LabServer(f"http://127.0.0.1:{port}", token, process, log_path)
        started.append(server)
        deadline = time.monotonic() + timeout
        while True:
            try:
                server.api("status")
                return server
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"JupyterLab exited with code {process.returncode} before answering:\n{server.output()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on port {port} within {timeout} s:\n{server.output()}")
                time.sleep(1)

    yield start
    for server in started:
        stop_process_tree(server.process)


def stop_process_tree(process):
    """Stop a process's group and all its descendants, whatever state they are in."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
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
    # Kernels live in process groups of their own; the server usually shuts them down, this makes sure.
    for child in descendants:
        try:
            child.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(descendants, timeout=10)
    for child in alive:
        try:
            child.kill()
        except psutil.Error:
            pass
