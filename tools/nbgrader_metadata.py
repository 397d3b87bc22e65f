"""Give every exercise nbgrader's cell metadata, generated from the cells' tags.

    python tools/nbgrader_metadata.py           # rewrite the metadata of every notebook
    python tools/nbgrader_metadata.py --check   # exit 1, naming each notebook that disagrees

nbgrader (schema 3) reads ``metadata.nbgrader``, never tags, so the tags are the
one place an exercise is declared and this tool derives the rest:

* a code cell tagged ``solution`` (its answer between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``) becomes a solution cell, ``grade_id`` ``answer_<name>``
  after the first check that follows it;
* each code cell tagged ``check`` right after it (one or more) becomes a locked,
  autograded cell worth ``points-per-check`` points (``[tool.unstable-gradients.nbgrader]``
  in pyproject.toml), ``grade_id`` the name of the one ``check_*`` function it
  calls. One check per cell, so nbgrader's all-or-nothing cell score gives
  partial credit per check.

Every other cell carries no nbgrader metadata. A notebook whose tags break
these rules stops with an error naming the notebook and cell.
"""

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

from student_versions import BEGIN, END, write_whole

ROOT = Path(__file__).resolve().parent.parent
CHECK_CALL = re.compile(r"^(check_\w+)\(", re.MULTILINE)


class ExerciseLayoutError(ValueError):
    pass


def points_per_check(pyproject=ROOT / "pyproject.toml"):
    config = tomllib.loads(Path(pyproject).read_text())["tool"]["unstable-gradients"].get("nbgrader", {})
    points = config.get("points-per-check", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise SystemExit(f"pyproject.toml: [tool.unstable-gradients.nbgrader] points-per-check = {points!r} should be a positive number")
    return points


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def expected_metadata(notebook, name, points):
    """{cell index: metadata.nbgrader} for every exercise cell of the notebook."""
    cells, found = notebook["cells"], {}
    previous = None  # "solution" or "check" while inside an exercise
    for index, cell in enumerate(cells):
        where = f"{name}, cell {index} (id {cell.get('id')})"
        tags, source = _tags(cell), _source(cell)
        if "solution" in tags:
            if cell["cell_type"] != "code" or BEGIN not in source or END not in source:
                raise ExerciseLayoutError(f"{where}: a 'solution' cell is a code cell with {BEGIN} / {END} around the answer.")
            found[index] = {"schema_version": 3, "grade": False, "solution": True, "locked": False, "grade_id": None}
            previous = "solution"
        elif "check" in tags:
            calls = CHECK_CALL.findall(source)
            if cell["cell_type"] != "code" or len(calls) != 1:
                raise ExerciseLayoutError(f"{where}: a 'check' cell calls exactly one helpers.checks function at the start of a line (found {len(calls)}).")
            if previous is None:
                raise ExerciseLayoutError(f"{where}: a 'check' cell follows its exercise's 'solution' cell (or another check).")
            found[index] = {"schema_version": 3, "grade": True, "solution": False, "locked": True,
                            "grade_id": calls[0], "points": points}
            previous = "check"
        else:
            if previous == "solution":
                raise ExerciseLayoutError(f"{name}, cell {index - 1}: a 'solution' cell is followed by at least one 'check' cell.")
            if cell["cell_type"] == "code" and "helpers.checks" in source:
                raise ExerciseLayoutError(f"{where} uses helpers.checks but is not tagged 'check'.")
            previous = None
    if previous == "solution":
        raise ExerciseLayoutError(f"{name}: the last 'solution' cell has no 'check' cell after it.")
    # a solution's grade_id names the first check after it
    for index in sorted(found):
        if found[index]["solution"]:
            found[index]["grade_id"] = "answer_" + found[index + 1]["grade_id"].removeprefix("check_")
    ids = [meta["grade_id"] for meta in found.values()]
    duplicates = sorted({grade_id for grade_id in ids if ids.count(grade_id) > 1})
    if duplicates:
        raise ExerciseLayoutError(f"{name}: grade ids must be unique within a notebook; repeated: {', '.join(duplicates)}.")
    return found


def apply(notebook, name, points):
    """The notebook with exactly the expected nbgrader metadata; True if anything changed."""
    expected, changed = expected_metadata(notebook, name, points), False
    for index, cell in enumerate(notebook["cells"]):
        metadata = cell.setdefault("metadata", {})
        want = expected.get(index)
        if metadata.get("nbgrader") != want:
            changed = True
            if want is None:
                del metadata["nbgrader"]
            else:
                metadata["nbgrader"] = want
    return notebook, changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--check", action="store_true", help="only report notebooks that disagree")
    args = parser.parse_args(argv)
    points, problems = points_per_check(), []
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        try:
            notebook, changed = apply(notebook, path.name, points)
        except ExerciseLayoutError as error:
            problems.append(str(error))
            continue
        if changed and args.check:
            problems.append(f"{path.name}: its nbgrader metadata differs from what its tags give")
        elif changed:
            write_whole(path, json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            print(f"updated {path.name}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and args.check:
        print("run `make nbgrader-metadata` to regenerate it", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
