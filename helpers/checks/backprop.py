"""Checks for notebook 01's exercises (backpropagation by hand)."""

import numpy as np

from .core import as_array, fail, passed, require, require_callable


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def check_db1(db1_by_hand, x, y, w1, b1, w2, b2):
    """Exercise 1: dJ/db1 of the two-neuron net, J = (y_hat - y)^2 / 2."""
    value = float(as_array(db1_by_hand, "db1_by_hand"))
    a1 = _sigmoid(w1 * x + b1)
    y_hat = _sigmoid(w2 * a1 + b2)
    shared = (y_hat - y) * y_hat * (1 - y_hat) * w2 * a1 * (1 - a1)
    if x != 1 and np.isclose(value, shared * x, rtol=1e-9):
        fail("you computed dJ/dw1: the last factor is x.", "dz1/db1 = 1 (z1 = w1 x + b1), so the last factor is 1, not x.")
    if np.isclose(value, -shared, rtol=1e-9):
        fail("the sign is flipped.", "dJ/dy_hat = y_hat - y for J = (y_hat - y)^2 / 2.")
    require(np.isclose(value, shared, rtol=1e-9, atol=1e-15), f"db1_by_hand is {value:.6g}; autodiff gives {shared:.6g}.",
            "Same chain as dw1: (y_hat - y), sigma'(z2) = y_hat (1 - y_hat), w2, sigma'(z1) = a1 (1 - a1), then dz1/db1.")
    passed(f"dJ/db1 = {shared:.6g}: four factors shared with dJ/dw1, and dz1/db1 = 1 in place of x.")


def check_tanh_backward(tanh_backward):
    """Exercise 2: dL/dz from dL/da and a = tanh(z)."""
    require_callable(tanh_backward, "tanh_backward")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5))
    upstream = rng.normal(size=(4, 5))
    a = np.tanh(z)
    got = as_array(tanh_backward(upstream, a), "tanh_backward(upstream, a)")
    expected = upstream * (1 - a**2)
    require(got.shape == expected.shape, f"the result has shape {got.shape}; it should match upstream's {expected.shape}.",
            "Multiply elementwise (*), not with a matrix product (@).")
    if np.allclose(got, 1 - a**2):
        fail("the result ignores `upstream`.", "The chain rule multiplies the local derivative by the gradient arriving from above.")
    if np.allclose(got, upstream * (1 - np.tanh(a) ** 2)):
        fail("tanh was applied twice: `a` is already tanh(z).", "tanh'(z) = 1 - a**2 when a = tanh(z).")
    if np.allclose(got, upstream * (1 - a)):
        fail("the local derivative is 1 - a; for tanh it is 1 - a**2.", "d tanh(z)/dz = 1 - tanh(z)**2.")
    require(np.allclose(got, expected), "tanh_backward(upstream, a) does not match autodiff.", "Return upstream * (1 - a**2).")
    passed("tanh_backward matches autodiff: upstream * (1 - a**2).")
