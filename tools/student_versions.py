"""Write student versions of the notebooks: solutions removed, outputs cleared.

    python tools/student_versions.py [NOTEBOOK ...] [--out build/student]

In every code cell, the lines between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (nbgrader's markers) become a stub that raises
NotImplementedError, indented like the markers (nbgrader's own stub, so
``nbgrader generate_assignment`` releases the same notebook; the instructor
tests compare them). As nbgrader does, the exercises' check cells are locked
against editing and deletion, and their solution cells against deletion. Cells tagged ``solution``
must carry the markers, and markers must pair up: anything else is an error
naming the notebook and cell, and nothing is written for that notebook. Files
are written whole (a temporary file, then renamed), never half.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# nbgrader's rule: any line that contains these words is a marker (``# BEGIN SOLUTION`` too).
BEGIN_WORDS, END_WORDS = "BEGIN SOLUTION", "END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]


class SolutionMarkerError(ValueError):
    pass


def strip_solution(source, where):
    """The cell's source with each marked solution replaced by a stub."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_WORDS in line:
            if inside:
                raise SolutionMarkerError(f"{where}, line {number}: {BEGIN} inside another solution; close it with {END} first.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub for stub in STUB]
        elif END_WORDS in line:
            if not inside:
                raise SolutionMarkerError(f"{where}, line {number}: {END} without a {BEGIN} before it.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionMarkerError(f"{where}: {BEGIN} is never closed; add {END} after the solution.")
    return "\n".join(out)


def student_version(notebook, name="notebook"):
    """A student copy of a notebook (a dict in nbformat 4's JSON layout)."""
    notebook = json.loads(json.dumps(notebook))  # a deep copy: the original stays as it was
    solutions = 0
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tagged = "solution" in cell.get("metadata", {}).get("tags", [])
        where = f"{name}, cell {index}"
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if grading.get("locked"):
            cell["metadata"].update(editable=False, deletable=False)
        elif grading.get("solution"):
            cell["metadata"]["deletable"] = False
        if BEGIN_WORDS not in source and END_WORDS not in source:
            if tagged:
                raise SolutionMarkerError(f"{where} is tagged 'solution' but has no {BEGIN} / {END} markers.")
            continue
        if cell["cell_type"] != "code":
            raise SolutionMarkerError(f"{where}: solution markers belong in code cells.")
        if not tagged:
            raise SolutionMarkerError(f"{where} has solution markers but no 'solution' tag; add the tag (`make nbgrader-metadata` derives nbgrader's cell metadata from it).")
        cell["source"] = strip_solution(source, where).splitlines(keepends=True)
        solutions += 1
    return notebook, solutions


def write_whole(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    failures = 0
    for path in paths:
        try:
            notebook, solutions = student_version(json.loads(path.read_text(encoding="utf-8")), path.name)
        except (OSError, ValueError, KeyError) as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            failures += 1
            continue
        target = args.out / path.name
        write_whole(target, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        print(f"{target}  ({solutions} solution cell{'s' * (solutions != 1)} stubbed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
