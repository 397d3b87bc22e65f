"""Notebook 12's final recipe on other seeds: what identifies the recipe, and how the notebook reads them.

The notebook trains its final recipe on one seed; the same recipe on other
seeds is trained by ``make capstone-seeds`` (tools/capstone_seeds.py), which
executes the notebook in full mode and writes reports/capstone-seeds.json.
The notebook adds those seeds to its own only when the file describes the
recipe it is running: the code cells that define the data, the model, the
training and the recipe (by cell id, so figure styling and prose can
change), the helpers modules that training and evaluation use, and the
library versions.
"""

import os

RECIPE_CELLS = ("cell-01", "cell-03", "cell-05", "cell-09", "cell-13", "cell-16")
RECIPE_HELPERS = ("data.py", "evaluation.py", "inputs.py", "progress.py", "seeding.py", "settings.py")
RECIPE_LIBRARIES = ("tensorflow", "keras", "numpy")
SEEDS_FILE = "../reports/capstone-seeds.json"  # from notebooks/, where the notebook runs
SEEDS_FILE_ENV = "GRADIENTS_CAPSTONE_SEEDS"  # another file, or "" for none (the runs of `make capstone-seeds` use "")
SEED_FIGURES = ("test_accuracy", "final_val_accuracy")


def recipe_identity(notebook_path):
    """What the capstone's final figure depends on: code hash, helpers hash, library versions."""
    import hashlib
    import json
    from importlib import metadata
    from pathlib import Path

    notebook = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    cells = {cell.get("id"): cell for cell in notebook["cells"] if cell["cell_type"] == "code"}
    missing = [cell_id for cell_id in RECIPE_CELLS if cell_id not in cells]
    if missing:
        raise ValueError(f"{notebook_path} has no code cell with id {', '.join(missing)}: "
                         "the cells that define the capstone's recipe were renamed or removed.")
    code = hashlib.sha256()
    for cell_id in RECIPE_CELLS:
        source = cells[cell_id]["source"]
        code.update(("".join(source) if isinstance(source, list) else source).encode() + b"\0")
    package = Path(__file__).resolve().parent
    helpers = hashlib.sha256()
    for name in RECIPE_HELPERS:
        contents = (package / name).read_bytes()
        helpers.update(f"{name}\0{len(contents)}\0".encode() + contents)
    return {"code_hash": code.hexdigest(), "helpers_hash": helpers.hexdigest(),
            "versions": {name: metadata.version(name) for name in RECIPE_LIBRARIES}}


def capstone_seeds(own_seed, notebook_path="12_capstone.ipynb", seeds_file=None):
    """The other seeds' figures from ``make capstone-seeds``, and one line saying where they come from.

    Returns ``({seed: test accuracy}, note)``. No file (on Colab, say), or a
    file made for another recipe (a learner's edit, other library versions):
    no seeds, and the note says why. Under ``make reproduce``, which writes
    the results table, a file for another recipe is an error instead, as is
    a malformed or quick-mode file anywhere: ValueError saying to run
    ``make capstone-seeds``.
    """
    import json
    from pathlib import Path

    if seeds_file is None:
        seeds_file = os.environ.get(SEEDS_FILE_ENV, SEEDS_FILE)
    if not str(seeds_file).strip():
        return {}, "this run is one of `make capstone-seeds`'s: its own seed only"
    path = Path(seeds_file)
    if not path.exists():
        return {}, f"no {path.name} here (it comes with the course repository): this notebook's seed only"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        recipe, mode, seeds = stored["recipe"], stored["mode"], stored["seeds"]
        figures = {int(seed): {name: float(entry[name]) for name in SEED_FIGURES} for seed, entry in seeds.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} is not a file written by `make capstone-seeds` ({type(error).__name__}: {error}); "
                         "run `make capstone-seeds` again") from None
    if mode != "full":
        raise ValueError(f"{path} holds {mode}-mode runs, not full-mode ones: run `make capstone-seeds`")
    current = recipe_identity(notebook_path)
    changed = [what for what in ("code_hash", "helpers_hash", "versions") if recipe.get(what) != current[what]]
    if changed:
        names = {"code_hash": "the recipe's code cells", "helpers_hash": "the helpers it trains with",
                 "versions": "the library versions"}
        stale = (f"{path} was made for another recipe ({', '.join(names[c] for c in changed)} changed since): "
                 "run `make capstone-seeds`")
        if os.environ.get("GRADIENTS_REPORT", "").strip():  # `make reproduce`: the results must match
            raise ValueError(stale)
        return {}, stale + " to compare seeds; this notebook's seed only"
    others = {seed: entry["test_accuracy"] for seed, entry in sorted(figures.items()) if seed != own_seed}
    return others, f"seeds {', '.join(map(str, others))} from {path.name} (`make capstone-seeds`, same recipe)"
