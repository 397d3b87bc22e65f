"""Shared plumbing for the Unstable Gradients notebooks.

The lesson's key code lives in the notebooks; this package holds what every
notebook needs and nobody needs to read: data loading, seeding, quick mode,
standard model builders, gradient and activation probes, a monitoring
callback, plots and exercise checks.

Submodules are imported lazily, so ``python -m helpers.data`` does not pay
for importing TensorFlow.
"""

import contextlib
import importlib
import importlib.util
import os
import sys

# TensorFlow's C++ core logs start-up chatter and harmless internal warnings
# straight to the process's stderr, which Jupyter shows under every cell. Errors
# that matter still reach Python as exceptions. Set TF_CPP_MIN_LOG_LEVEL=0
# yourself to see everything.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send file descriptor 2 to /dev/null for the duration (C++ logging included)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# Some of TensorFlow's import-time lines ignore TF_CPP_MIN_LOG_LEVEL. In a
# notebook (where they would clutter the first cell) import it now, quietly;
# scripts and `python -m helpers.data` keep importing it lazily.
if "IPython" in sys.modules and "tensorflow" not in sys.modules:
    with _native_stderr_silenced():
        import tensorflow  # noqa: F401

# name -> module that defines it; resolved on first access (PEP 562).
_LAZY = {
    "quick_mode": "settings",
    "by_mode": "settings",
    "set_seed": "seeding",
    "load_fashion_mnist": "data",
    "EpochLine": "progress",
    "fit": "progress",
    "GradientMonitor": "monitor",
    "GradientRecord": "record",
    "accuracy": "evaluation",
    "diagnose": "diagnosis",
    "report": "results",
}


def __getattr__(name):
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")  # helpers.models, ...
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
