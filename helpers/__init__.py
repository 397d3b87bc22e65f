"""Shared plumbing for the Unstable Gradients notebooks.

The lesson's key code lives in the notebooks; this package holds what every
notebook needs and nobody needs to read: data loading, seeding, quick mode,
standard model builders, gradient and activation probes, a monitoring
callback, plots and exercise checks.

Submodules are imported lazily, so ``python -m helpers.data`` does not pay
for importing TensorFlow.
"""

import importlib
import os

# TensorFlow prints several lines of C++ start-up chatter unless told not to.
# This must happen before TensorFlow is first imported; a learner who wants the
# chatter back sets TF_CPP_MIN_LOG_LEVEL=0 themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# name -> module that defines it; resolved on first access (PEP 562).
_LAZY = {
    "QUICK": "settings",
    "SEED": "settings",
    "quick_mode": "settings",
    "by_mode": "settings",
    "set_seed": "seeding",
    "load_fashion_mnist": "data",
    "CLASS_NAMES": "data",
    "EpochLine": "progress",
    "fit": "progress",
}


def __getattr__(name):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
