"""Checks for notebook 05's exercises (batch normalization)."""

import numpy as np

from .core import as_array, fail, passed, require, require_callable


def _batch(seed=0):
    rng = np.random.default_rng(seed)
    # Features with different means and scales, so that every mix-up shows.
    x = rng.normal(loc=[0.0, 3.0, -2.0, 0.5], scale=[1.0, 0.1, 5.0, 0.02], size=(16, 4))
    gamma = np.array([1.0, 2.0, 0.5, 1.5])
    beta = np.array([0.0, -1.0, 0.3, 2.0])
    return x, gamma, beta


def _reference(x, gamma, beta, epsilon=1e-3, axis=0, ddof=0):
    mean, variance = x.mean(axis=axis, keepdims=True), x.var(axis=axis, ddof=ddof, keepdims=True)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def check_batch_norm_forward(batch_norm_forward):
    """Exercise 1: training-mode BN, per feature over the batch, biased variance, epsilon inside the root."""
    require_callable(batch_norm_forward, "batch_norm_forward")
    x, gamma, beta = _batch()
    got = as_array(batch_norm_forward(x, gamma, beta), "batch_norm_forward(x, gamma, beta)")
    require(got.shape == x.shape, f"the output has shape {got.shape}; it should have the input's shape {x.shape}.",
            "Normalize each entry; don't reduce over an axis in the result.")
    expected = _reference(x, gamma, beta)
    if np.allclose(got, expected, rtol=1e-5, atol=1e-6):
        got_eps = as_array(batch_norm_forward(x, gamma, beta, epsilon=0.5), "batch_norm_forward(..., epsilon=0.5)")
        require(np.allclose(got_eps, _reference(x, gamma, beta, epsilon=0.5), rtol=1e-5, atol=1e-6),
                "the `epsilon` argument is ignored.", "Use the epsilon parameter, not a fixed 1e-3.")
        passed("per feature: subtract the batch mean, divide by sqrt(variance + epsilon), then scale by gamma and shift by beta.")
        return
    if np.allclose(got, _reference(x, gamma, beta, axis=1), rtol=1e-5, atol=1e-6):
        fail("this normalizes each example across its features.", "BN works per feature, over the batch: mean and variance along axis=0.")
    if np.allclose(got, _reference(x, 1.0, 0.0), rtol=1e-5, atol=1e-6):
        fail("the output is normalized but gamma and beta are not applied.", "Finish with gamma * x_hat + beta.")
    if np.allclose(got, _reference(x, gamma, beta, ddof=1), rtol=1e-5, atol=1e-6):
        fail("this uses the unbiased variance (dividing by n - 1).", "Keras uses the batch's plain variance: x.var(axis=0), which divides by n.")
    if np.allclose(got, _reference(x, gamma, beta, epsilon=0.0), rtol=1e-5, atol=1e-6):
        fail("epsilon is missing.", "Divide by sqrt(variance + epsilon).")
    std_plus_eps = gamma * (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-3) + beta
    if np.allclose(got, std_plus_eps, rtol=1e-5, atol=1e-6):
        fail("epsilon is added to the standard deviation instead of the variance.", "Divide by sqrt(variance + epsilon).")
    fail("the output does not match training-mode batch normalization.",
         "y = gamma * (x - mean) / sqrt(variance + epsilon) + beta, with mean and variance over axis 0.")


def check_moving_average_after(moving_average_after):
    """Exercise 2: momentum**n * start + (1 - momentum**n) * value."""
    require_callable(moving_average_after, "moving_average_after")
    cases = [(2.0, 1, 0.99, 1.0), (1.0, 100, 0.99, 0.0), (0.3, 10, 0.9, 1.0), (2.0, 0, 0.99, 1.0), (-1.0, 500, 0.99, 1.0)]
    for value, steps, momentum, start in cases:
        got = float(as_array(moving_average_after(value, steps, momentum=momentum, start=start),
                             f"moving_average_after({value}, {steps}, momentum={momentum}, start={start})"))
        expected = momentum**steps * start + (1 - momentum**steps) * value
        if np.isclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        call = f"moving_average_after({value}, {steps}, momentum={momentum}, start={start}) is {got:.6g}"
        swapped = (1 - momentum) ** steps * start + (1 - (1 - momentum) ** steps) * value
        if np.isclose(got, swapped, rtol=1e-9, atol=1e-12):
            fail(f"{call}: momentum and 1 - momentum are swapped.",
                 "Each step keeps `momentum` of the old average: new = momentum * old + (1 - momentum) * batch.")
        if np.isclose(got, (1 - momentum**steps) * value, rtol=1e-9, atol=1e-12) and start != 0:
            fail(f"{call}: the starting value is ignored.", "A fraction momentum**steps of `start` is still in the average.")
        if np.isclose(got, momentum**steps * value, rtol=1e-9, atol=1e-12):
            fail(f"{call}: momentum**steps is the share of the *start* that remains, not of the batch value.",
                 "momentum**steps * start + (1 - momentum**steps) * batch_value.")
        fail(f"{call}; it should be {expected:.6g}.", "Apply new = momentum * old + (1 - momentum) * batch_value, `steps` times.")
    passed(f"after 100 steps at momentum 0.99, {0.99**100:.0%} of the starting value is still in the average.")
