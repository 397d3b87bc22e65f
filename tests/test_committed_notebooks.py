"""Committed notebooks carry a clean full-mode run, and reports/results.json matches them."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import reproduce  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_NOTEBOOK_BYTES = 3 * 1024 * 1024  # compact outputs: figures and short tables, no training logs


def _results():
    assert reproduce.RESULTS.exists(), "reports/results.json is missing: run `make reproduce`"
    return json.loads(reproduce.RESULTS.read_text())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_outputs_are_clean_and_in_order(path):
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(code)} in order: run `make reproduce NOTEBOOK={path.stem[:2]}`")
    errors = [o.get("ename") for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{path.name} holds error outputs: {errors}"
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB: keep outputs compact"
    # A learner reads every output: no warning from NumPy or a library, no path of this machine.
    texts = [(i, "".join(o.get("text", ""))) for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code"
             for o in c["outputs"] if o["output_type"] == "stream"]
    for marker in ("Warning:", "site-packages", "/work/", "/home/", "/root/"):
        leaks = [i for i, text in texts if marker in text]
        assert not leaks, f"{path.name}: cells {leaks} print {marker!r}; fix the cause (or silence it where it is harmless)"
    # nbgrader scores a check cell that writes to stderr as failed, even when the check passed.
    noisy = [c["id"] for c in code if c["metadata"].get("nbgrader", {}).get("grade")
             for o in c["outputs"] if o.get("name") == "stderr"]
    assert not noisy, f"{path.name}: check cells {noisy} write to stderr, which nbgrader scores as failed"
    unconfirmed = [c["id"] for c in code if c["metadata"].get("nbgrader", {}).get("grade") and not any(
        o.get("name") == "stdout" and "".join(o["text"]).startswith("Correct.") for o in c["outputs"])]
    assert not unconfirmed, f"{path.name}: check cells {unconfirmed} did not print 'Correct.' for the reference answer"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_results_match_the_notebooks_code(path):
    entry = _results()["notebooks"].get(path.stem)
    assert entry is not None, f"reports/results.json has no entry for {path.stem}: run `make reproduce NOTEBOOK={path.stem[:2]}`"
    assert entry["code_hash"] == reproduce.code_hash(json.loads(path.read_text())), (
        f"{path.name}'s code changed after its results were produced: run `make reproduce NOTEBOOK={path.stem[:2]}`")
    assert entry.get("helpers_hash") == reproduce.helpers_hash(), (
        f"helpers/ changed after {path.stem}'s results were produced: run `make reproduce NOTEBOOK={path.stem[:2]}`")
    assert entry["mode"] == "full" and entry["figures"], f"{path.stem}: no figures reported from a full-mode run"


def test_readme_results_table_is_generated_from_results():
    text = (ROOT / "README.md").read_text()
    table = text.split(reproduce.TABLE_START, 1)[1].split(reproduce.TABLE_END, 1)[0].strip()
    assert table == reproduce.results_table(_results()), "README's results table is stale: run `make results-table`"


def test_code_hash_ignores_outputs_but_not_code():
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1\n"], "outputs": [], "execution_count": None},
                          {"cell_type": "markdown", "source": "prose"}]}
    before = reproduce.code_hash(notebook)
    notebook["cells"][0].update(outputs=[{"output_type": "stream", "name": "stdout", "text": "1"}], execution_count=1)
    notebook["cells"][1]["source"] = "other prose"
    assert reproduce.code_hash(notebook) == before
    notebook["cells"][0]["source"] = ["x = 2\n"]
    assert reproduce.code_hash(notebook) != before


def test_helpers_hash_follows_the_python_files_only(tmp_path):
    package = tmp_path / "helpers"
    (package / "checks").mkdir(parents=True)
    (package / "__init__.py").write_text("from .models import build\n")
    (package / "checks" / "core.py").write_text("THRESHOLD = 0.5\n")
    before = reproduce.helpers_hash(package)
    assert reproduce.helpers_hash(package) == before
    (package / "checks" / "core.py").write_text("THRESHOLD = 0.5\n")  # rewritten, same contents
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\0compiled")
    (package / "notes.txt").write_text("not code")
    assert reproduce.helpers_hash(package) == before
    (package / "checks" / "core.py").write_text("THRESHOLD = 0.6\n")
    changed = reproduce.helpers_hash(package)
    assert changed != before
    (package / "checks" / "core.py").rename(package / "checks" / "other.py")
    assert reproduce.helpers_hash(package) != changed, "a moved file changes the hash too"


def test_a_second_reproduce_is_refused_while_one_runs():
    import fcntl
    import subprocess

    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / "reproduce.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        run = subprocess.run([sys.executable, str(ROOT / "tools" / "reproduce.py"), "--table-only"],
                             capture_output=True, text=True)
    assert run.returncode != 0 and "another `make reproduce` is running" in run.stderr
