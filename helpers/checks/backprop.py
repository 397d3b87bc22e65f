"""Checks for notebook 01's exercises (backpropagation by hand)."""

import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable


def _autodiff_db1(x, y, w1, b1, w2, b2):
    """dJ/db1 from TensorFlow's autodiff, in float64."""
    import tensorflow as tf

    b1_var = tf.Variable(float(b1), dtype=tf.float64)
    with tf.GradientTape() as tape:
        y_hat = tf.sigmoid(w2 * tf.sigmoid(w1 * x + b1_var) + b2)
        loss = 0.5 * (y_hat - y) ** 2
    return float(tape.gradient(loss, b1_var).numpy())


def check_db1(db1_by_hand, x, y, w1, b1, w2, b2):
    """Exercise 1: dJ/db1 of the two-neuron net, J = (y_hat - y)^2 / 2."""
    value = as_number(db1_by_hand, "db1_by_hand")
    autodiff = _autodiff_db1(x, y, w1, b1, w2, b2)
    if x != 1 and np.isclose(value, autodiff * x, rtol=1e-9):
        fail("you computed dJ/dw1: the last factor is x.", "dz1/db1 = 1 (z1 = w1 x + b1), so the last factor is 1, not x.")
    if np.isclose(value, -autodiff, rtol=1e-9):
        fail("the sign is flipped.", "dJ/dy_hat = y_hat - y for J = (y_hat - y)^2 / 2.")
    require(np.isclose(value, autodiff, rtol=1e-9, atol=1e-15),
            f"db1_by_hand is {value:.6g}, which does not match autodiff: {how_far(value, autodiff)}.",
            "Follow the same chain of factors as dJ/dw1 in section 1: only the last one, dz1/db1, is different.")
    passed(f"dJ/db1 = {autodiff:.6g}, as autodiff gives: five factors, four shared with dJ/dw1, and dz1/db1 = 1 in place of x.")


def _autodiff_tanh_backward(z, upstream):
    """dL/dz for a = tanh(z) and dL/da = upstream, from TensorFlow's autodiff (float64)."""
    import tensorflow as tf

    z = tf.constant(z, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        a = tf.tanh(z)
    return tape.gradient(a, z, output_gradients=tf.constant(upstream, dtype=tf.float64)).numpy()


def check_tanh_backward(tanh_backward):
    """Exercise 2: dL/dz from dL/da and a = tanh(z)."""
    require_callable(tanh_backward, "tanh_backward")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 5))
    upstream = rng.normal(size=(4, 5))
    a = np.tanh(z)
    got = as_array(call(tanh_backward, "tanh_backward(upstream, a)",
                        "It receives two NumPy arrays of the same shape, upstream and a, and returns one of that shape.",
                        upstream, a), "tanh_backward(upstream, a)")
    expected = _autodiff_tanh_backward(z, upstream)
    require(got.shape == expected.shape, f"the result has shape {got.shape}; it should match upstream's {expected.shape}.",
            "Multiply elementwise (*), not with a matrix product (@).")
    if np.allclose(got, 1 - a**2):
        fail("the result ignores `upstream`.", "The chain rule multiplies the local derivative by the gradient arriving from above.")
    if np.allclose(got, upstream * (1 - np.tanh(a) ** 2)):
        fail("tanh was applied twice: `a` is already tanh(z).", "tanh'(z) = 1 - a**2 when a = tanh(z).")
    if np.allclose(got, upstream * (1 - a)):
        fail("the local derivative is 1 - a; for tanh it is 1 - a**2.", "d tanh(z)/dz = 1 - tanh(z)**2.")
    if np.allclose(got, -expected):
        fail("the sign is flipped.", "tanh is increasing, so tanh'(z) is positive: check the order of the subtraction.")
    if np.allclose(got, upstream):
        fail("the result is `upstream` unchanged: the local derivative is missing.",
             "The chain rule multiplies the gradient arriving from above by tanh'(z), written with a.")
    hint = "Multiply `upstream` by the local derivative tanh'(z), written with a."
    require(np.isfinite(got).all(), "the result has NaN or infinite entries.", hint)
    error = float(np.max(np.abs(got - expected)))
    require(np.allclose(got, expected), f"the result differs from autodiff by up to {error:.3g} on a 4x5 test batch.", hint)
    passed("tanh_backward matches autodiff on a 4x5 batch.")
