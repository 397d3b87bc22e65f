"""nbgrader's cell metadata: generated from the tags, and every notebook agrees with it."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbgrader_metadata as nm  # noqa: E402
from student_versions import student_version  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebooks_nbgrader_metadata_is_what_its_tags_give(path):
    notebook = json.loads(path.read_text())
    _, changed = nm.apply(notebook, path.name, nm.points_per_check())
    assert not changed, f"{path.name}: nbgrader metadata differs from its tags; run `make nbgrader-metadata`"
    grading = [c["metadata"]["nbgrader"] for c in json.loads(path.read_text())["cells"] if "nbgrader" in c["metadata"]]
    assert any(g["solution"] for g in grading) and any(g["grade"] for g in grading), f"{path.name} has no exercise"
    for g in grading:  # nbgrader's schema 3, exactly
        keys = {"schema_version", "grade", "solution", "locked", "grade_id"} | ({"points"} if g["grade"] else set())
        assert set(g) == keys and g["schema_version"] == 3, g


def _cell(source, *tags, cell_type="code"):
    return {"cell_type": cell_type, "id": f"c{abs(hash(source)) % 10**6}", "metadata": {"tags": list(tags)},
            "source": source, "outputs": [], "execution_count": None}


SOLUTION = "### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION"


def test_a_solution_and_its_checks_become_a_solution_cell_and_locked_grade_cells():
    notebook = {"cells": [_cell("x = 1"), _cell(SOLUTION, "solution"),
                          _cell("from helpers.checks import check_a\n\ncheck_a(answer)", "check"),
                          _cell("from helpers.checks import check_b\n\ncheck_b(answer)\nprint(answer)", "check"),
                          _cell("y = 2")]}
    notebook, changed = nm.apply(notebook, "nb", points=2)
    meta = [c["metadata"].get("nbgrader") for c in notebook["cells"]]
    assert changed
    assert meta[0] is None and meta[4] is None
    assert meta[1] == {"schema_version": 3, "grade": False, "solution": True, "locked": False, "grade_id": "answer_a"}
    assert meta[2] == {"schema_version": 3, "grade": True, "solution": False, "locked": True, "grade_id": "check_a", "points": 2}
    assert meta[3]["grade_id"] == "check_b" and meta[3]["points"] == 2
    assert nm.apply(notebook, "nb", points=2)[1] is False, "applying twice changes nothing"
    assert nm.apply(notebook, "nb", points=1)[1] is True, "a new points setting is noticed"
    student, _ = student_version(notebook)
    assert student["cells"][2]["metadata"]["editable"] is False and student["cells"][2]["metadata"]["deletable"] is False
    assert student["cells"][1]["metadata"]["deletable"] is False and "editable" not in student["cells"][1]["metadata"]


def test_stale_metadata_on_an_untagged_cell_is_removed():
    cell = _cell("z = 3")
    cell["metadata"]["nbgrader"] = {"schema_version": 3, "grade": False, "solution": True, "locked": False, "grade_id": "old"}
    notebook = {"cells": [cell, _cell(SOLUTION, "solution"), _cell("check_a(answer)", "check")]}
    notebook, changed = nm.apply(notebook, "nb", points=1)
    assert changed and "nbgrader" not in notebook["cells"][0]["metadata"]


@pytest.mark.parametrize("cells, message", [
    ([_cell("check_a(answer)", "check")], "follows its exercise's 'solution' cell"),
    ([_cell(SOLUTION, "solution"), _cell("y = 2")], "followed by at least one 'check' cell"),
    ([_cell(SOLUTION, "solution")], "has no 'check' cell after it"),
    ([_cell(SOLUTION, "solution"), _cell("check_a(answer)\ncheck_b(answer)", "check")], "exactly one helpers.checks function"),
    ([_cell("answer = 1", "solution"), _cell("check_a(answer)", "check")], "BEGIN SOLUTION"),
    ([_cell("from helpers.checks import check_a\ncheck_a(1)")], "not tagged 'check'"),
    ([_cell(SOLUTION, "solution"), _cell("check_a(answer)", "check"),
      _cell(SOLUTION + " ", "solution"), _cell("check_a(answer)", "check")], "repeated: answer_a, check_a"),
])
def test_a_broken_exercise_layout_is_an_error_naming_the_cell(cells, message):
    with pytest.raises(nm.ExerciseLayoutError, match=message) as error:
        nm.expected_metadata({"cells": cells}, "nb.ipynb", 1)
    assert "nb.ipynb" in str(error.value)


def test_the_points_setting_must_be_a_positive_number(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.unstable-gradients]\nrepository = "x"\n[tool.unstable-gradients.nbgrader]\npoints-per-check = 3\n')
    assert nm.points_per_check(pyproject) == 3
    pyproject.write_text('[tool.unstable-gradients]\nrepository = "x"\n')
    assert nm.points_per_check(pyproject) == 1
    pyproject.write_text('[tool.unstable-gradients]\n[tool.unstable-gradients.nbgrader]\npoints-per-check = 0\n')
    with pytest.raises(SystemExit, match="positive number"):
        nm.points_per_check(pyproject)
