"""The instructor's path through nbgrader, headless: release, autograde, feedback.

It needs nbgrader, which lives in the instructor's install: `make test-nbgrader`
sets up .venv-instructor and runs this file (CI does). In the learner's .venv it
is skipped. The course directory is built by tools/nbgrader_course.py, exactly
as README's coursework section tells an instructor to.
"""

import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

if not os.environ.get("GRADIENTS_REQUIRE_NBGRADER"):  # `make test-nbgrader` sets it: there, a missing nbgrader fails
    pytest.importorskip("nbgrader", reason="nbgrader is in the instructor's install: run `make test-nbgrader`")
from nbgrader.api import Gradebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from nbgrader_course import nbgrader_command  # noqa: E402
from student_versions import BEGIN, END, student_version  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COURSE_ID = "unstable-gradients"


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _nbgrader(course, *arguments):
    # conftest.py sets these; an instructor has none of them: the course's settings decide
    environ = {k: v for k, v in os.environ.items() if k not in ("GRADIENTS_QUICK", "TF_CPP_MIN_LOG_LEVEL", "MPLBACKEND")}
    command, env = nbgrader_command(*arguments, environ=environ)
    result = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "nbgrader_course.py"), str(course)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return course


def _released(course, notebook):
    return json.loads((course / "release" / notebook.stem / notebook.name).read_text())


def _submit(course, student, notebook, edit):
    """A submission: the released notebook, with `edit(cell)` applied to every cell."""
    submission = _released(course, notebook)
    for cell in submission["cells"]:
        edit(cell)
    target = course / "submitted" / student / notebook.stem / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(submission))


def _answers(notebook):
    """What a student who found the reference answers writes: the solution cells without the markers."""
    cells = json.loads(notebook.read_text())["cells"]
    return {cell["id"]: "\n".join(line for line in _source(cell).splitlines() if line.strip() not in (BEGIN, END))
            for cell in cells if "solution" in cell["metadata"].get("tags", [])}


def _scores(course, notebook, student):
    """{grade_id: (score, max_score)} of a student's autograded notebook, from the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        submission = gradebook.find_submission_notebook(notebook.stem, notebook.stem, student)
        return {grade.name: (grade.score, grade.max_score) for grade in submission.grades}


def test_release_is_make_students_notebook(course):
    for notebook in NOTEBOOKS:
        ours, solutions = student_version(json.loads(notebook.read_text()), notebook.name)
        released = _released(course, notebook)
        assert [c["id"] for c in released["cells"]] == [c["id"] for c in ours["cells"]], notebook.name
        for mine, theirs in zip(ours["cells"], released["cells"]):
            where = f"{notebook.name}, cell {mine['id']}"
            assert theirs["cell_type"] == mine["cell_type"], where
            assert _source(theirs) == _source(mine), where
            if mine["cell_type"] == "code":
                assert theirs["outputs"] == [] and theirs["execution_count"] is None, where
            for key in ("editable", "deletable"):
                assert theirs["metadata"].get(key) == mine["metadata"].get(key), f"{where}: {key}"
        stubs = [c for c in released["cells"] if "raise NotImplementedError()" in _source(c)]
        assert len(stubs) == solutions > 0, notebook.name
        assert not any(BEGIN in _source(c) for c in released["cells"]), notebook.name


def test_a_correct_submission_gets_full_marks_on_every_notebook(course):
    for notebook in NOTEBOOKS:
        answers = _answers(notebook)

        def answer(cell, answers=answers):
            if cell["id"] in answers:
                cell["source"] = answers[cell["id"]]

        _submit(course, "alice", notebook, answer)
    started = time.perf_counter()
    for notebook in NOTEBOOKS:
        _nbgrader(course, "autograde", notebook.stem, "--student", "alice", "--force")
    minutes = (time.perf_counter() - started) / 60
    print(f"\nautograded one student's {len(NOTEBOOKS)} notebooks in {minutes:.1f} min")
    for notebook in NOTEBOOKS:
        scores = _scores(course, notebook, "alice")
        graded = {name: score for name, score in scores.items() if score[1] > 0}
        assert graded, f"{notebook.name}: no autograded cell"
        lost = {name: score for name, score in graded.items() if score[0] != score[1]}
        assert not lost, f"{notebook.name}: the reference answers lost points: {lost}"
        autograded = json.loads((course / "autograded" / "alice" / notebook.stem / notebook.name).read_text())
        for cell in autograded["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                streams = [o for o in cell["outputs"] if o.get("name") == "stderr"]
                assert not streams, f"{notebook.name}, {cell['id']}: a grade cell wrote to stderr: {streams}"


def test_a_typical_wrong_answer_scores_lower_and_the_feedback_gives_the_hint(course):
    from helpers.checks import NotQuiteRight, check_tanh_backward

    def ignores_upstream(upstream, a):  # the local derivative alone, without the chain rule's upstream factor
        return 1 - a**2

    with pytest.raises(NotQuiteRight) as failure:
        check_tanh_backward(ignores_upstream)
    notebook = next(n for n in NOTEBOOKS if n.name.startswith("01_"))
    answers = _answers(notebook)

    def wrong(cell):
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]].replace("return upstream * (1 - a**2)", "return 1 - a**2")
            assert cell["source"] != answers[cell["id"]], "the reference answer changed: update this test's wrong answer"

    _submit(course, "bob", notebook, wrong)
    _nbgrader(course, "autograde", notebook.stem, "--student", "bob", "--force")
    scores = _scores(course, notebook, "bob")
    assert scores["check_tanh_backward"] == (0, scores["check_tanh_backward"][1])
    assert scores["check_db1"][0] == scores["check_db1"][1] > 0, "the right half of the answer keeps its points"
    _nbgrader(course, "generate_feedback", notebook.stem, "--student", "bob", "--force")
    feedback = (course / "feedback" / "bob" / notebook.stem / notebook.name.replace(".ipynb", ".html")).read_text()
    assert html.escape(failure.value.hint, quote=False) in feedback
    assert html.escape(failure.value.what, quote=False) in feedback


def test_unanswered_or_tampered_checks_score_nothing(course):
    notebook = next(n for n in NOTEBOOKS if n.name.startswith("01_"))

    def tamper(cell):  # leave the stubs, and rewrite the check cells to pass
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = 'print("Correct.")'

    _submit(course, "carol", notebook, tamper)
    _nbgrader(course, "autograde", notebook.stem, "--student", "carol", "--force")
    scores = _scores(course, notebook, "carol")
    assert scores and all(score == 0 for score, _ in scores.values()), scores
