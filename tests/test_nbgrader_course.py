"""tools/nbgrader_course.py lays out a course directory without losing an instructor's work."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbgrader_course  # noqa: E402

NOTEBOOK = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[1]


def _run(*arguments):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "nbgrader_course.py"), *map(str, arguments)],
                          capture_output=True, text=True)


def test_a_new_course_gets_the_settings_and_the_source_notebooks(tmp_path):
    course = tmp_path / "my course"  # a space in the path
    result = _run(course, NOTEBOOK, "--no-release")
    assert result.returncode == 0, result.stderr
    assert nbgrader_course.LOAD_LINE in (course / "nbgrader_config.py").read_text()
    settings = (course / nbgrader_course.SETTINGS_FILE).read_text()
    assert 'setdefault("GRADIENTS_QUICK", "1")' in settings and "c.Execute.timeout = 600" in settings
    assert (course / "source" / NOTEBOOK.stem / NOTEBOOK.name).read_bytes() == NOTEBOOK.read_bytes()
    assert _run(course, NOTEBOOK, "--no-release").returncode == 0, "running it again is fine"


def test_an_instructors_config_without_the_settings_stops_with_the_line_to_add(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'mine'\n")
    result = _run(tmp_path, NOTEBOOK, "--no-release")
    assert result.returncode != 0 and nbgrader_course.LOAD_LINE in result.stderr
    assert (tmp_path / "nbgrader_config.py").read_text().endswith("'mine'\n"), "the instructor's file is untouched"
    assert not (tmp_path / "source").exists(), "nothing written"


def test_an_edited_source_notebook_is_replaced_only_with_force(tmp_path):
    assert _run(tmp_path, NOTEBOOK, "--no-release").returncode == 0
    source = tmp_path / "source" / NOTEBOOK.stem / NOTEBOOK.name
    source.write_text(source.read_text().replace("Backpropagation", "Backprop (edited)", 1))
    result = _run(tmp_path, NOTEBOOK, "--no-release")
    assert result.returncode != 0 and "--force" in result.stderr and str(source) in result.stderr
    assert "(edited)" in source.read_text()
    assert _run(tmp_path, NOTEBOOK, "--no-release", "--force").returncode == 0
    assert source.read_bytes() == NOTEBOOK.read_bytes()


def test_a_broken_notebook_writes_nothing(tmp_path):
    broken = tmp_path / "99_broken.ipynb"
    broken.write_text("{not json")
    result = _run(tmp_path / "course", NOTEBOOK, broken, "--no-release")
    assert result.returncode != 0 and "99_broken.ipynb is not a readable notebook" in result.stderr
    assert not (tmp_path / "course").exists()


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("nbgrader") is not None, reason="nbgrader is installed here")
def test_releasing_without_nbgrader_says_which_install_to_use(tmp_path):
    result = _run(tmp_path, NOTEBOOK)
    assert result.returncode != 0 and "make nbgrader-course" in result.stderr


def test_the_settings_drop_tensorflows_log_lines_and_nothing_else(monkeypatch):
    import os
    import re

    from traitlets.config import Config

    monkeypatch.setattr(os, "environ", {})  # the settings file sets variables for nbgrader's kernels
    config = Config()
    exec(nbgrader_course.SETTINGS, {"get_config": lambda: config})
    assert os.environ == {"GRADIENTS_QUICK": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    assert config.IgnorePattern.enabled and config.Execute.timeout == 600
    pattern = config.IgnorePattern.pattern
    tensorflow = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
                  "E0000 00:00:1795805412.826038   14426 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)\n")
    assert re.search(pattern, tensorflow)
    assert not re.search(pattern, "/content/x.py:3: UserWarning: Do not pass an `input_shape`\n")
    assert not re.search(pattern, tensorflow + "RuntimeWarning: overflow encountered in square\n"), "mixed: kept"
