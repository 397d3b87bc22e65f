"""One call that makes a run repeatable."""

from . import settings


def set_seed(seed=None, *, deterministic=True):
    """Seed Python, NumPy and Keras/TensorFlow, and turn on op determinism.

    ``seed=None`` uses ``GRADIENTS_SEED`` (or the default, 42). Returns the
    seed used, so a notebook can print it. With ``deterministic=True`` the
    same seed gives bit-identical training metrics on the same machine.
    ``deterministic=False`` only leaves determinism as it is: TensorFlow has
    no way to turn it off again within a process.
    """
    import keras
    import tensorflow as tf

    if seed is None:
        seed = settings.seed_from_env()
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must satisfy 0 <= seed < 2**32, got {seed}")
    # Seeds Python's `random`, NumPy's global generator and the backend.
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed
