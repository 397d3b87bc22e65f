"""`make capstone-seeds` (tools/capstone_seeds.py) and how notebook 12 reads its file."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.capstone_seeds import RECIPE_CELLS, capstone_seeds, recipe_identity

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_capstone.ipynb"
sys.path.insert(0, str(ROOT / "tools"))
import capstone_seeds as tool  # noqa: E402


@pytest.mark.parametrize("seeds, message", [
    ([], "no seeds given"),
    ([1, 2, 1], "seed 1 is named twice"),
    ([1, 42], "seed 42 is the notebook's own seed"),
    ([-1], "out of range"),
    ([2**32], "out of range"),
])
def test_bad_seeds_are_refused_with_the_reason(seeds, message):
    with pytest.raises(SystemExit, match=message):
        tool.check_seeds(seeds)
    assert tool.check_seeds([1, 2]) == [1, 2]


def test_a_seed_that_is_not_a_number_is_refused(capsys):
    with pytest.raises(SystemExit):
        tool.main(["one"])
    assert "invalid int value: 'one'" in capsys.readouterr().err


def _copy_of_notebook(tmp_path):
    copy = tmp_path / "12_capstone.ipynb"
    copy.write_text(NOTEBOOK.read_text())
    return copy


def _edit_cell(path, cell_id, extra):
    notebook = json.loads(path.read_text())
    cell = next(c for c in notebook["cells"] if c.get("id") == cell_id)
    cell["source"] = "".join(cell["source"]) + extra
    path.write_text(json.dumps(notebook))


def test_recipe_follows_the_recipe_cells_only(tmp_path):
    copy = _copy_of_notebook(tmp_path)
    before = recipe_identity(copy)
    assert set(before) == {"code_hash", "helpers_hash", "versions"}
    _edit_cell(copy, "cell-06", "\n# a figure-styling edit\n")  # the naive network's figure
    assert recipe_identity(copy) == before
    _edit_cell(copy, RECIPE_CELLS[1], "\nLEARNING_RATE = 1e-3\n")
    assert recipe_identity(copy)["code_hash"] != before["code_hash"]


def _seeds_file(tmp_path, recipe, mode="full", seeds=None):
    path = tmp_path / "capstone-seeds.json"
    seeds = seeds or {"1": {"test_accuracy": 0.89, "final_val_accuracy": 0.90},
                      "2": {"test_accuracy": 0.91, "final_val_accuracy": 0.92}}
    tool.write_atomically(path, {"mode": mode, "recipe": recipe, "seeds": seeds})
    return path


def test_notebook_reads_a_current_file_and_refuses_a_stale_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIENTS_REPORT", str(tmp_path / "results.json"))  # as under `make reproduce`
    copy = _copy_of_notebook(tmp_path)
    recipe = recipe_identity(copy)
    current = _seeds_file(tmp_path, recipe)
    others, note = capstone_seeds(own_seed=2, notebook_path=copy, seeds_file=current)
    assert others == {1: 0.89} and "seeds 1 from" in note  # the notebook's own seed comes from its own run
    _edit_cell(copy, "cell-13", "\nFINAL_EPOCHS = 40\n")
    with pytest.raises(ValueError, match=r"another recipe \(the recipe's code cells changed.*run `make capstone-seeds`"):
        capstone_seeds(own_seed=42, notebook_path=copy, seeds_file=current)
    old_libraries = _seeds_file(tmp_path, {**recipe, "versions": {**recipe["versions"], "keras": "0.0"}})
    with pytest.raises(ValueError, match=r"the library versions changed"):
        capstone_seeds(own_seed=42, notebook_path=NOTEBOOK, seeds_file=old_libraries)
    quick = _seeds_file(tmp_path, recipe_identity(NOTEBOOK), mode="quick")
    with pytest.raises(ValueError, match="quick-mode runs"):
        capstone_seeds(own_seed=42, notebook_path=NOTEBOOK, seeds_file=quick)
    broken = _seeds_file(tmp_path, recipe, seeds={"1": {"test_accuracy": 0.9}})
    with pytest.raises(ValueError, match="not a file written by `make capstone-seeds`"):
        capstone_seeds(own_seed=42, notebook_path=copy, seeds_file=broken)


def test_outside_make_reproduce_a_stale_file_means_the_notebooks_own_seed_only(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADIENTS_REPORT", raising=False)
    copy = _copy_of_notebook(tmp_path)
    current = _seeds_file(tmp_path, recipe_identity(copy))
    _edit_cell(copy, "cell-13", "\nFINAL_EPOCHS = 40\n")  # a learner's edit of the recipe
    others, note = capstone_seeds(own_seed=42, notebook_path=copy, seeds_file=current)
    assert others == {} and "the recipe's code cells changed" in note and "this notebook's seed only" in note


def test_no_file_means_the_notebooks_own_seed_only(tmp_path):
    others, note = capstone_seeds(own_seed=42, notebook_path=NOTEBOOK, seeds_file=tmp_path / "absent.json")
    assert others == {} and "this notebook's seed only" in note
    others, note = capstone_seeds(own_seed=1, notebook_path=NOTEBOOK, seeds_file="")
    assert others == {} and "its own seed only" in note


def test_run_seed_passes_the_seed_and_reads_the_reported_figures(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import os\nfrom helpers.results import report\n"
        "assert os.environ['GRADIENTS_SEED'] == '7' and os.environ['GRADIENTS_CAPSTONE_SEEDS'] == ''\n"
        "report(test_accuracy=0.5, final_val_accuracy=0.6, final_training_wall_seconds=1.0)")]
    path = tmp_path / "fake.ipynb"
    nbformat.write(notebook, path)
    figures = tool.run_seed(7, quick=True, notebook=path)
    assert figures["test_accuracy"] == 0.5 and figures["final_val_accuracy"] == 0.6
    notebook.cells[0].source = "from helpers.results import report\nreport(test_accuracy=0.5)"
    nbformat.write(notebook, path)
    with pytest.raises(SystemExit, match="reported no final_val_accuracy"):
        tool.run_seed(7, quick=True, notebook=path)


def test_committed_seeds_file_describes_the_notebooks_recipe():
    if not tool.OUT.exists():
        pytest.skip("reports/capstone-seeds.json is missing: run `make capstone-seeds`")
    others, _ = capstone_seeds(own_seed=42, notebook_path=NOTEBOOK, seeds_file=tool.OUT)  # raises if stale
    assert len(others) >= 2, "reports/capstone-seeds.json should hold two seeds besides 42: run `make capstone-seeds`"
