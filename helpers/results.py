"""Key figures a notebook measured, gathered for ``reports/results.json``.

A check cell that asserts a claim also reports the figure behind it::

    helpers.report(deep_sigmoid_gradient_ratio=ratio)

Outside ``make reproduce`` this only remembers the figures in memory. When
``GRADIENTS_REPORT`` names a file (``make reproduce`` sets it, one file per
notebook), every call rewrites that file with all figures reported so far, so
the numbers in the results table come from the executed cells, never typed in.
"""

import json
import math
import numbers
import os
import tempfile

FIGURES = {}


def _plain(name, value):
    """A JSON-ready number, or a clear error for anything else."""
    if hasattr(value, "item") and getattr(value, "shape", ()) == ():
        value = value.item()  # NumPy / TensorFlow scalars
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"report({name}=...) needs a single real number; got {type(value).__name__} {value!r}.")
    value = float(value) if not isinstance(value, numbers.Integral) else int(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"report({name}={value}) is not finite: report a measured, finite figure.")
    return value


def report(**figures):
    """Remember each named figure (and write them out under ``make reproduce``)."""
    if not figures:
        raise TypeError("report() needs at least one figure, e.g. report(test_accuracy=0.87).")
    FIGURES.update({name: _plain(name, value) for name, value in figures.items()})
    target = os.environ.get("GRADIENTS_REPORT", "").strip()
    if target:
        directory = os.path.dirname(os.path.abspath(target))
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False) as handle:
            json.dump(FIGURES, handle, indent=2, sort_keys=True)
        os.replace(handle.name, target)  # never a half-written file
