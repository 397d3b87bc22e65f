"""Set up an nbgrader course directory with every notebook as an assignment, and release it.

    python tools/nbgrader_course.py COURSE_DIR [NOTEBOOK ...] [--no-release] [--force]

Run it with the instructor's install (`make nbgrader-course COURSE=...`, which
uses .venv-instructor). It writes the course's grading settings to
COURSE_DIR/unstable_gradients_nbgrader.py (always: they are the course's), and
an nbgrader_config.py that loads them if the directory has none; an existing
nbgrader_config.py is never changed, and must load the settings (the tool
stops and says which line to add). It puts each notebook in
COURSE_DIR/source/<notebook name>/ (the assignment is named after the notebook,
e.g. 04_weight_initialization), refusing to replace a source notebook that was
edited there unless --force is given, and runs ``nbgrader generate_assignment``
for each, which writes the student version to COURSE_DIR/release/<assignment>/.
Then, from COURSE_DIR:

    nbgrader autograde 04_weight_initialization        # submissions in submitted/<student>/<assignment>/
    nbgrader generate_feedback 04_weight_initialization
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from student_versions import write_whole

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "unstable_gradients_nbgrader.py"
LOAD_LINE = f'load_subconfig("{SETTINGS_FILE}")'

# Autograding runs every cell of a submission in a fresh kernel, one notebook after
# another. Quick mode keeps one student's whole course to minutes on a 2-core CPU
# (README, "Coursework with nbgrader"); the per-cell timeout leaves room for full mode's
# longest cell (about 4 minutes, notebook 12's final training).
SETTINGS = r'''# nbgrader settings of the Unstable Gradients course (written by tools/nbgrader_course.py;
# rewritten each time it runs: put your own settings in nbgrader_config.py after the line that loads this file).
import os

c = get_config()  # noqa: F821 (nbgrader provides it)

# Grade in quick mode: the kernels nbgrader starts inherit this process's environment
# (in a Jupyter server with the formgrader, every kernel it starts). Set GRADIENTS_QUICK=0
# before running nbgrader to grade full runs, about six times slower.
os.environ.setdefault("GRADIENTS_QUICK", "1")
# A grade cell that writes to stderr scores 0: keep TensorFlow's C++ start-up lines out of it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# and drop a stderr output made only of TensorFlow/absl log lines (e.g. "E0000 ... failed call to cuInit"
# on a machine without a GPU), which says nothing about the student's answer.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\A(?:(?:[IWEF]\d{4} [^\n]*\] [^\n]*|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR)(?:\n|\Z))+\Z"

# Seconds per cell (nbgrader's default, 30, is shorter than some training cells).
c.Execute.timeout = 600
'''

CONFIG = f'''# nbgrader configuration of this course directory (written once by tools/nbgrader_course.py).
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "unstable-gradients"
{LOAD_LINE}  # the course's grading settings: quick mode, timeouts, stderr
'''


def assignment_name(notebook):
    return Path(notebook).stem


def set_up(course, notebooks, force):
    """Write the settings and the source notebooks; nothing is written if a check fails first."""
    parsed = {}
    for notebook in notebooks:
        try:
            parsed[notebook] = notebook.read_bytes()
            json.loads(parsed[notebook].decode("utf-8"))
        except (OSError, ValueError) as error:
            raise SystemExit(f"error: {notebook} is not a readable notebook ({error}); nothing was written")
    config = course / "nbgrader_config.py"
    if config.exists() and LOAD_LINE not in config.read_text():
        raise SystemExit(
            f"error: {config} exists and does not load the course's settings (quick mode, a 600 s timeout per cell, "
            f"TensorFlow's log lines out of stderr): add the line\n    {LOAD_LINE}\nto it, then run this again")
    edited = [course / "source" / assignment_name(n) / n.name for n in notebooks]
    edited = [path for path, content in zip(edited, parsed.values()) if path.exists() and path.read_bytes() != content]
    if edited and not force:
        raise SystemExit("error: these source notebooks differ from the course's (edited there?); "
                         "pass --force (make nbgrader-course FORCE=1) to replace them:\n  " + "\n  ".join(map(str, edited)))
    course.mkdir(parents=True, exist_ok=True)
    write_whole(course / SETTINGS_FILE, SETTINGS)
    if not config.exists():
        write_whole(config, CONFIG)
    for notebook, content in parsed.items():
        target = course / "source" / assignment_name(notebook) / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def nbgrader_command(*arguments, environ=None):
    """(command, environment) that run ``nbgrader ARGUMENTS`` with this Python.

    nbgrader runs `alembic` (its database migrations) from PATH: this environment's
    scripts go first, so it works from a venv that was never activated.
    """
    environ = dict(os.environ if environ is None else environ)
    environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    return [sys.executable, "-m", "nbgrader", *arguments], environ


def nbgrader(course, *arguments):
    """Run one nbgrader command in the course directory; its output passes through."""
    command, env = nbgrader_command(*arguments)
    result = subprocess.run(command, cwd=course, env=env)
    if result.returncode != 0:
        raise SystemExit(f"error: `nbgrader {' '.join(arguments)}` failed in {course} (exit {result.returncode}); its output is above")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path, help="the nbgrader course directory (created if missing)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--no-release", action="store_true", help="only lay out source/, do not run generate_assignment")
    parser.add_argument("--force", action="store_true", help="replace source notebooks that differ from the course's")
    args = parser.parse_args(argv)
    if not args.no_release and importlib.util.find_spec("nbgrader") is None:
        raise SystemExit(f"error: nbgrader is not installed in {sys.prefix}; use the instructor's install: "
                         "`make nbgrader-course COURSE=...` (it sets up .venv-instructor)")
    notebooks = [path.resolve() for path in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [str(path) for path in notebooks if not path.is_file()]
    if missing:
        raise SystemExit(f"error: no such notebook: {', '.join(missing)}")
    course = args.course.expanduser().resolve()
    set_up(course, notebooks, args.force)
    if not args.no_release:
        for notebook in notebooks:
            nbgrader(course, "generate_assignment", assignment_name(notebook), "--force")
        print(f"released {len(notebooks)} assignment(s) in {course / 'release'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
