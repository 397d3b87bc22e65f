"""Set up an nbgrader course directory with every notebook as an assignment, and release it.

    python tools/nbgrader_course.py COURSE_DIR [NOTEBOOK ...] [--no-release]

Run it with the instructor's install (`make nbgrader-course`, which uses
.venv-instructor). It writes COURSE_DIR/nbgrader_config.py (only if the
directory has none: an instructor's own settings are never overwritten), puts
each notebook in COURSE_DIR/source/<notebook name>/ (the assignment is named
after the notebook, e.g. 04_weight_initialization), and runs
``nbgrader generate_assignment`` for each, which writes the student version
to COURSE_DIR/release/<assignment>/. Then, from COURSE_DIR:

    nbgrader autograde 04_weight_initialization        # submissions in submitted/<student>/<assignment>/
    nbgrader generate_feedback 04_weight_initialization
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from student_versions import write_whole

ROOT = Path(__file__).resolve().parent.parent

# Autograding runs every cell of a submission in a fresh kernel, one notebook after
# another. Quick mode keeps one student's whole course to minutes on a 2-core CPU
# (README, "Exercises"); the per-cell timeout leaves room for full mode's longest cell.
CONFIG = '''\
# nbgrader settings for the Unstable Gradients course (written by tools/nbgrader_course.py).
import os

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "unstable-gradients"

# Grade in quick mode: the kernels nbgrader starts inherit this process's environment.
# Remove the line (or set GRADIENTS_QUICK=0) to grade full runs, about six times slower.
os.environ.setdefault("GRADIENTS_QUICK", "1")
# A grade cell that writes to stderr scores 0: keep TensorFlow's C++ start-up lines out of it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Seconds per cell (nbgrader's default, 30, is shorter than some training cells).
c.Execute.timeout = 600
'''


def assignment_name(notebook):
    return Path(notebook).stem


def set_up(course, notebooks):
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if config.exists():
        print(f"{config} exists: kept as it is")
    else:
        write_whole(config, CONFIG)
    for notebook in notebooks:
        source = course / "source" / assignment_name(notebook)
        source.mkdir(parents=True, exist_ok=True)
        json.loads(notebook.read_text(encoding="utf-8"))  # a notebook that does not parse stops here, nothing copied
        shutil.copyfile(notebook, source / notebook.name)


def nbgrader(course, *arguments):
    """Run one nbgrader command in the course directory; its output passes through."""
    command = [sys.executable, "-m", "nbgrader", *arguments]
    # nbgrader runs `alembic` (its database migrations) from PATH: put this environment's
    # scripts first, so the tool works from a venv that was never activated.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run(command, cwd=course, env=env)
    if result.returncode != 0:
        raise SystemExit(f"error: `nbgrader {' '.join(arguments)}` failed in {course} (exit {result.returncode}); its output is above")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", type=Path, help="the nbgrader course directory (created if missing)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--no-release", action="store_true", help="only lay out source/, do not run generate_assignment")
    args = parser.parse_args(argv)
    notebooks = [path.resolve() for path in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [str(path) for path in notebooks if not path.is_file()]
    if missing:
        raise SystemExit(f"error: no such notebook: {', '.join(missing)}")
    course = args.course.resolve()
    set_up(course, notebooks)
    if not args.no_release:
        for notebook in notebooks:
            nbgrader(course, "generate_assignment", assignment_name(notebook), "--force")
        print(f"released {len(notebooks)} assignment(s) in {course / 'release'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
