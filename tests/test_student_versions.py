"""`make student`: student versions hold no solution code and run up to their first exercise."""

import json
import re
from collections import Counter
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from student_versions import BEGIN, END, SolutionMarkerError, student_version  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _code_lines(notebook, inside_solutions):
    """Stripped, non-comment code lines inside (or outside) the solution markers."""
    lines = []
    for cell in notebook["cells"]:
        inside = False
        for line in _source(cell).splitlines():
            if line.strip() in (BEGIN, END):
                inside = line.strip() == BEGIN
            elif inside == inside_solutions and line.strip() and not line.strip().startswith("#"):
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_ends_with_exercises_and_solutions(path):
    notebook = json.loads(path.read_text())
    markdown = "\n".join(_source(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    exercises = markdown.rsplit("## Exercises", 1)
    assert len(exercises) == 2, f"{path.name} has no '## Exercises' section"
    assert len(re.findall(r"^\d+\. ", exercises[1], flags=re.M)) >= 2, f"{path.name} should set two or more exercises"
    tagged = [c for c in notebook["cells"] if "solution" in c.get("metadata", {}).get("tags", [])]
    assert tagged and _code_lines(notebook, inside_solutions=True), f"{path.name}: no tagged solution cell with code between the markers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_version_holds_no_solution_code(path):
    original = json.loads(path.read_text())
    student, stubbed = student_version(original, path.name)
    assert stubbed >= 1
    text = "\n".join(_source(c) for c in student["cells"])
    assert BEGIN not in text and END not in text
    # A solution line may legitimately repeat a line the notebook shows elsewhere (for example
    # `return keras.Sequential(layers)` in a builder); it leaks only if the student version
    # holds it more often than the original does outside its solutions.
    student_count = Counter(line.strip() for c in student["cells"] for line in _source(c).splitlines())
    given_count = Counter(_code_lines(original, inside_solutions=False))
    leaked = sorted({line for line in _code_lines(original, inside_solutions=True) if student_count[line] > given_count[line]})
    assert not leaked, f"{path.name}: solution code left in the student version: {leaked}"
    assert all(not c.get("outputs") for c in student["cells"] if c["cell_type"] == "code")
    assert original == json.loads(path.read_text()), "making a student version must not touch the original"


def test_stub_keeps_indentation_and_surrounding_code():
    cell = {"cell_type": "code", "metadata": {"tags": ["solution"]}, "outputs": [], "execution_count": 3,
            "source": f"import numpy as np\ndef f(x):\n    {BEGIN}\n    return 2 * x\n    {END}\nprint(f)"}
    student, stubbed = student_version({"cells": [cell]})
    assert stubbed == 1
    assert _source(student["cells"][0]) == (
        "import numpy as np\ndef f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\nprint(f)")
    assert student["cells"][0]["execution_count"] is None
    cell["source"] = "x = 1\n# BEGIN SOLUTION\ny = 2\n# END SOLUTION"  # nbgrader stubs any line with the words
    student, stubbed = student_version({"cells": [cell]})
    assert stubbed == 1 and _source(student["cells"][0]) == "x = 1\n# YOUR CODE HERE\nraise NotImplementedError()"


@pytest.mark.parametrize("source, tags, complaint", [
    (f"{BEGIN}\nx = 1\n", ["solution"], "never closed"),
    ("# BEGIN SOLUTION\nx = 1\n", [], "no 'solution' tag"),  # nbgrader's rule: the words make a marker
    (f"x = 1\n{END}\n", ["solution"], "without a"),
    (f"{BEGIN}\n{BEGIN}\nx = 1\n{END}\n", ["solution"], "inside another solution"),
    (f"{BEGIN}\nx = 1\n{END}\n", [], "no 'solution' tag"),
    ("x = 1\n", ["solution"], "has no ### BEGIN SOLUTION"),
])
def test_bad_markers_are_named(source, tags, complaint):
    cell = {"cell_type": "code", "metadata": {"tags": tags}, "outputs": [], "execution_count": None, "source": source}
    with pytest.raises(SolutionMarkerError, match=complaint) as caught:
        student_version({"cells": [cell]}, "07_example.ipynb")
    assert "07_example.ipynb, cell 0" in str(caught.value)


def test_make_student_writes_every_notebook(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "student_versions.py"), "--out", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [p.name for p in NOTEBOOKS], result.stdout


def test_student_version_runs_up_to_its_first_exercise(tmp_path):
    path = ROOT / "notebooks" / "01_backpropagation.ipynb"
    student, _ = student_version(json.loads(path.read_text()), path.name)
    first = next(i for i, c in enumerate(student["cells"]) if "solution" in c.get("metadata", {}).get("tags", []))
    notebook = nbformat.reads(json.dumps(student), as_version=4)
    notebook.cells = notebook.cells[: first + 1]
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as caught:
        client.execute()
    assert "NotImplementedError" in str(caught.value)
    executed = [c for c in notebook.cells[:first] if c.cell_type == "code"]
    assert all(c.execution_count for c in executed), "every cell before the first exercise should have run"
    assert not any(o.get("output_type") == "error" for c in executed for o in c.outputs)
