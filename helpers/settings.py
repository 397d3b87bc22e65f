"""Run-wide settings read from the environment: quick mode and the seed.

``GRADIENTS_QUICK=1`` makes every notebook train on a small stratified subset
for fewer steps, so that it executes in about a minute (measured times are in
the README's results table); the test suite uses it. Learners get full mode
by default.

``GRADIENTS_SEED=<int>`` overrides the global seed (default 42).
"""

import os

DEFAULT_SEED = 42
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def quick_mode():
    """True when ``GRADIENTS_QUICK`` asks for quick mode (read afresh each call)."""
    raw = os.environ.get("GRADIENTS_QUICK", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"GRADIENTS_QUICK={os.environ['GRADIENTS_QUICK']!r} is not understood: "
        "use GRADIENTS_QUICK=1 for quick mode or leave it unset (or 0) for full mode."
    )


def seed_from_env():
    """The seed named by ``GRADIENTS_SEED``, or the default."""
    raw = os.environ.get("GRADIENTS_SEED", "").strip()
    if not raw:
        return DEFAULT_SEED
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(
            f"GRADIENTS_SEED={raw!r} is not an integer: set it to a whole number "
            "such as GRADIENTS_SEED=7, or unset it for the default seed "
            f"{DEFAULT_SEED}."
        ) from None
    if not 0 <= seed < 2**32:
        raise ValueError(f"GRADIENTS_SEED={seed} is out of range: use 0 <= seed < 2**32.")
    return seed


def by_mode(*, full, quick):
    """Pick a value by mode, e.g. ``epochs = by_mode(full=10, quick=2)``."""
    return quick if quick_mode() else full
