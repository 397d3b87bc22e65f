"""Checks for notebook 05's exercises (batch normalization)."""

import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable

_BN_SIGNATURE = "Use the signature batch_norm_forward(x, gamma, beta, epsilon=1e-3): x is a 2-D NumPy array."


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
    got = as_array(call(batch_norm_forward, "batch_norm_forward(x, gamma, beta)", _BN_SIGNATURE, x.copy(), gamma, beta),
                   "batch_norm_forward(x, gamma, beta)")
    require(got.shape == x.shape, f"the output has shape {got.shape}; it should have the input's shape {x.shape}.",
            "Normalize each entry; don't reduce over an axis in the result.")
    expected = _reference(x, gamma, beta)
    if np.allclose(got, expected, rtol=1e-5, atol=1e-6):
        got_eps = as_array(call(batch_norm_forward, "batch_norm_forward(x, gamma, beta, epsilon=0.5)", _BN_SIGNATURE,
                                x.copy(), gamma, beta, epsilon=0.5), "batch_norm_forward(x, gamma, beta, epsilon=0.5)")
        if got_eps.shape != x.shape or not np.allclose(got_eps, _reference(x, gamma, beta, epsilon=0.5), rtol=1e-5, atol=1e-6):
            if got_eps.shape == x.shape and np.allclose(got_eps, expected, rtol=1e-5, atol=1e-6):
                fail("the `epsilon` argument is ignored.", "Use the epsilon parameter, not a fixed 1e-3.")
            fail("with epsilon=0.5 the output is wrong, though it is right with the default epsilon.",
                 "Use the epsilon parameter wherever the default 1e-3 goes.")
        passed("per feature: subtract the batch mean, divide by sqrt(variance + epsilon), then scale by gamma and shift by beta.")
        return
    if np.allclose(got, _reference(x, gamma, beta, axis=1), rtol=1e-5, atol=1e-6):
        fail("this normalizes each example across its features.", "BN works per feature, over the batch: mean and variance along axis=0.")
    if np.allclose(got, _reference(x, 1.0, 0.0), rtol=1e-5, atol=1e-6):
        fail("the output is normalized but gamma and beta are not applied.", "Finish with gamma * x_hat + beta.")
    if np.allclose(got, _reference(x, gamma, beta, ddof=1), rtol=1e-5, atol=1e-6):
        fail("this uses the unbiased variance (dividing by n - 1).", "Keras uses the batch's plain variance, NumPy's default, which divides by n.")
    if np.allclose(got, _reference(x, gamma, beta, epsilon=0.0), rtol=1e-5, atol=1e-6):
        fail("epsilon is missing.", "Divide by sqrt(variance + epsilon).")
    std_plus_eps = gamma * (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-3) + beta
    if np.allclose(got, std_plus_eps, rtol=1e-5, atol=1e-6):
        fail("epsilon is added to the standard deviation instead of the variance.", "Divide by sqrt(variance + epsilon).")
    with np.errstate(all="ignore"):
        mean_ok = np.allclose(got.mean(axis=0), beta, rtol=1e-5, atol=1e-6)
        std_ok = np.allclose(got.std(axis=0), np.abs(gamma) * x.std(axis=0) / np.sqrt(x.var(axis=0) + 1e-3), rtol=1e-5, atol=1e-6)
    if not np.isfinite(got).all():
        what = "the output has NaN or infinite entries."
    elif not mean_ok:
        what = "each feature's output should have mean beta over the batch; yours does not."
    elif not std_ok:
        what = "each feature's output has mean beta, but its spread over the batch is wrong."
    else:
        what = "each feature's output has the right mean and spread, but the values are in the wrong places."
    fail(what, "Normalize each feature (column) with its own batch mean and variance, then scale by gamma and shift by beta: "
               "Keras's formula in section 1.")


def check_moving_average_after(moving_average_after):
    """Exercise 2: momentum**n * start + (1 - momentum**n) * value."""
    require_callable(moving_average_after, "moving_average_after")
    cases = [(2.0, 1, 0.99, 1.0), (1.0, 100, 0.99, 0.0), (0.3, 10, 0.9, 1.0), (2.0, 0, 0.99, 1.0), (-1.0, 500, 0.99, 1.0)]
    for value, steps, momentum, start in cases:
        call_text = f"moving_average_after({value}, {steps}, momentum={momentum}, start={start})"
        got = as_number(call(moving_average_after, call_text,
                             "Use the signature moving_average_after(batch_value, steps, momentum=0.99, start=0.0).",
                             value, steps, momentum=momentum, start=start), call_text, "Return one number, the average.")
        expected = momentum**steps * start + (1 - momentum**steps) * value
        if np.isclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        said = f"{call_text} is {got:.6g}"
        swapped = (1 - momentum) ** steps * start + (1 - (1 - momentum) ** steps) * value
        if np.isclose(got, swapped, rtol=1e-9, atol=1e-12):
            fail(f"{said}: momentum and 1 - momentum are swapped.",
                 "Each step keeps `momentum` of the old average: new = momentum * old + (1 - momentum) * batch.")
        if np.isclose(got, (1 - momentum**steps) * value, rtol=1e-9, atol=1e-12) and start != 0:
            fail(f"{said}: the starting value is ignored.", "A fraction momentum**steps of `start` is still in the average.")
        if np.isclose(got, momentum**steps * value, rtol=1e-9, atol=1e-12):
            fail(f"{said}: momentum**steps is the share of the *start* that remains, not of the batch value.",
                 "The batch value fills the share of the average that `start` has lost.")
        fail(f"{said}: {how_far(got, expected)}.",
             "Each step keeps `momentum` of the old average and adds (1 - momentum) of the batch value: repeat that `steps` times.")
    passed(f"after 100 steps at momentum 0.99, {0.99**100:.0%} of the starting value is still in the average.")
