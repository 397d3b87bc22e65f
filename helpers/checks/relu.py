"""Checks for notebook 03's exercises (ReLU and its relatives)."""

import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable


def check_leaky_relu_prime(leaky_relu_prime):
    """Exercise 1: Leaky ReLU's derivative, slope 0.2 by default."""
    require_callable(leaky_relu_prime, "leaky_relu_prime")
    grid = np.linspace(-3, 3, 601)
    grid = grid[grid != 0]  # either one-sided value is accepted at 0
    signature = "Use the signature leaky_relu_prime(z, slope=0.2); z is a NumPy array."
    got = as_array(call(leaky_relu_prime, "leaky_relu_prime(z)", signature, grid), "leaky_relu_prime(z)")
    require(got.shape == grid.shape, f"leaky_relu_prime(z) has shape {got.shape} for z of shape {grid.shape}.",
            "Work elementwise, e.g. with np.where.")
    expected = np.where(grid > 0, 1.0, 0.2)
    if np.allclose(got, np.where(grid > 0, 1.0, 0.0)):
        fail("this is ReLU's derivative: 0 for z < 0.", "Leaky ReLU keeps a small slope on the negative side, so its derivative there is not 0.")
    if np.allclose(got, np.where(grid > 0, grid, 0.2 * grid)):
        fail("this is Leaky ReLU itself, not its derivative.",
             "Each side of Leaky ReLU is a straight line: its derivative there is that line's slope, a constant.")
    if np.allclose(got, np.where(grid > 0, 0.2, 1.0)):
        fail("the two sides are swapped.", "Leaky ReLU is z itself for z > 0 and the shallow line for z < 0.")
    if not np.allclose(got, expected):
        wrong = ~np.isclose(got, expected)
        side = "z < 0" if wrong[grid < 0].any() else "z > 0"
        index = np.flatnonzero(wrong & ((grid < 0) if side == "z < 0" else (grid > 0)))[0]
        fail(f"leaky_relu_prime(z) is wrong for {side}: at z = {grid[index]:g} it gives {got[index]:.4g}.",
             "Differentiate each side of Leaky ReLU (z for z > 0, slope * z for z < 0) on its own.")
    got_slope = as_array(call(leaky_relu_prime, "leaky_relu_prime(z, slope=0.01)", signature, np.array([-1.0]), slope=0.01),
                         "leaky_relu_prime(z, slope=0.01)")
    require(got_slope.size == 1, f"leaky_relu_prime(z, slope=0.01) has shape {got_slope.shape} for z of shape (1,).",
            "Work elementwise, e.g. with np.where.")
    if not np.allclose(got_slope, 0.01):
        if np.allclose(got_slope, 0.2):
            fail("the `slope` argument is ignored.", "Use the `slope` parameter, not a fixed 0.2.")
        fail(f"with slope=0.01, leaky_relu_prime at z = -1 gives {float(got_slope.ravel()[0]):.4g}.",
             "For z < 0 the derivative is the slope of the line slope * z: use the `slope` parameter.")
    passed("never 0: a Leaky ReLU unit always passes some gradient back, `slope` of it for z < 0.")


def check_predicted_growth(predicted_growth, low_gain=2.0, high_gain=3.0, depth=30):
    """Exercise 2: the hidden kernel gradients of an L-layer ReLU net, gain ``high_gain`` over ``low_gain``.

    Each hidden kernel gradient carries L - 1 factors of sqrt(g) (the forward
    signal below the layer, the error above it), so the ratio is
    (high/low)^((L-1)/2).
    """
    value = as_number(predicted_growth, "predicted_growth")
    ratio = high_gain / low_gain
    expected = ratio ** ((depth - 1) / 2)
    if np.isclose(value, ratio ** (depth / 2)):
        fail(f"{value:,.0f} counts L factors of sqrt(g), one too many.",
             "A hidden layer's kernel gradient gets sqrt(g) from each hidden layer below it (the forward signal) "
             "and each hidden layer above it (the error), but not from itself: section 3 counts them.")
    if np.isclose(value, ratio**depth) or np.isclose(value, ratio ** (depth - 1)):
        fail(f"{value:,.0f} treats the gain as a factor on the signal's size.",
             "The gain multiplies the weights' *variance*, so each layer scales the signal's size by sqrt(g).")
    if np.isclose(value, high_gain ** ((depth - 1) / 2)) or np.isclose(value, high_gain ** (depth / 2)):
        fail("that compares gain 3 with gain 1.", "The question compares the two gains: use their ratio.")
    if np.isclose(value, ratio * (depth - 1) / 2) or np.isclose(value, np.sqrt(ratio) * (depth - 1)):
        fail("the growth adds up, but it multiplies: one factor per layer.", "Use a power of the gains' ratio.")
    require(np.isclose(value, expected, rtol=1e-9),
            f"predicted_growth is {value:.6g}, not what the rule of section 3 gives: {how_far(value, expected)}.",
            "Count the factors of sqrt(g) a hidden kernel gradient carries (section 3), and compare that product at the two gains.")
    passed(f"about {expected:,.0f}x: raising the gain by half compounds over 29 layers.")
