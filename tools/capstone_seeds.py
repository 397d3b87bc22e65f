"""Train the capstone's frozen recipe on more seeds: reports/capstone-seeds.json.

    python tools/capstone_seeds.py              # seeds 1 and 2, full mode (about 7 minutes each on 2 cores)
    python tools/capstone_seeds.py 3 4 5        # other seeds
    python tools/capstone_seeds.py --quick      # smoke test: quick mode, written to build/, not reports/

Notebook 12 trains its final recipe on one seed (its own, 42 by default) and
reads its test split once. This runs the same notebook, unchanged, in a fresh
kernel per seed (``GRADIENTS_SEED``), collects the test and final validation
accuracy that its check cells report (``GRADIENTS_REPORT``), and writes them
with what identifies the recipe (a hash of the code cells that define the data,
model, training and recipe; a hash of the helpers modules they use; the library
versions). The executed notebooks are not saved. The notebook, in full mode,
adds these seeds to its own when the file describes the recipe it runs.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "12_capstone.ipynb"
OUT = ROOT / "reports" / "capstone-seeds.json"
QUICK_OUT = ROOT / "build" / "capstone-seeds-quick.json"
DEFAULT_SEEDS = (1, 2)

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from helpers.capstone_seeds import SEED_FIGURES, SEEDS_FILE_ENV, recipe_identity  # noqa: E402
from helpers.settings import DEFAULT_SEED  # noqa: E402


def check_seeds(seeds):
    """The seeds to run, or SystemExit saying what is wrong with them."""
    if not seeds:
        raise SystemExit("no seeds given: name one or more, e.g. `python tools/capstone_seeds.py 1 2`")
    for seed in seeds:
        if not 0 <= seed < 2**32:
            raise SystemExit(f"seed {seed} is out of range: use 0 <= seed < 2**32")
    repeated = sorted({seed for seed in seeds if seeds.count(seed) > 1})
    if repeated:
        raise SystemExit(f"seed {', '.join(map(str, repeated))} is named twice: each seed's test split is read once")
    if DEFAULT_SEED in seeds:
        raise SystemExit(f"seed {DEFAULT_SEED} is the notebook's own seed (`make reproduce` runs it): choose others")
    return list(seeds)


def run_seed(seed, quick, notebook=NOTEBOOK):
    """Execute the notebook on ``seed``; return the figures its check cells reported."""
    import reproduce

    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch, "figures.json")
        # SEEDS_FILE_ENV empty: each run reports its own seed only
        _, seconds = reproduce.execute(notebook, quick=quick, report_file=report_file,
                                       env={"GRADIENTS_SEED": str(seed), SEEDS_FILE_ENV: ""})
        figures = json.loads(report_file.read_text()) if report_file.exists() else {}
    missing = [name for name in SEED_FIGURES if name not in figures]
    if missing:
        raise SystemExit(f"seed {seed}: the notebook ran but reported no {', '.join(missing)}")
    return {**{name: figures[name] for name in SEED_FIGURES},
            "final_training_wall_seconds": figures.get("final_training_wall_seconds"),
            "notebook_wall_seconds": round(seconds, 1),
            "executed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(handle.name, path)  # never a half-written file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="*", type=int, default=list(DEFAULT_SEEDS),
                        help=f"seeds to train (default: {' '.join(map(str, DEFAULT_SEEDS))})")
    parser.add_argument("--quick", action="store_true", help=f"quick mode, written to {QUICK_OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    seeds = check_seeds(args.seeds)
    recipe = recipe_identity(NOTEBOOK)
    results = {}
    for number, seed in enumerate(seeds, start=1):
        print(f"[{number}/{len(seeds)}] seed {seed} ({'quick' if args.quick else 'full'} mode) ...", end=" ", flush=True)
        results[str(seed)] = run_seed(seed, args.quick)
        print(f"test {results[str(seed)]['test_accuracy']:.4f}, "
              f"validation {results[str(seed)]['final_val_accuracy']:.4f}")
    if recipe_identity(NOTEBOOK) != recipe:
        raise SystemExit("the recipe changed while the seeds were running (notebook, helpers or libraries): "
                         "nothing written; run it again")
    out = QUICK_OUT if args.quick else OUT
    write_atomically(out, {
        "about": "Written by `make capstone-seeds` (tools/capstone_seeds.py): notebook 12's final recipe on more seeds, "
                 "each seed's test split read once. The notebook adds them to its own seed when the recipe matches.",
        "mode": "quick" if args.quick else "full",
        "recipe": recipe,
        "seeds": results,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    })
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
