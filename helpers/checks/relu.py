"""Checks for notebook 03's exercises (ReLU and its relatives)."""

import numpy as np

from .core import as_array, fail, passed, require, require_callable


def check_leaky_relu_prime(leaky_relu_prime):
    """Exercise 1: Leaky ReLU's derivative, slope 0.2 by default."""
    require_callable(leaky_relu_prime, "leaky_relu_prime")
    grid = np.linspace(-3, 3, 601)
    grid = grid[grid != 0]  # either one-sided value is accepted at 0
    got = as_array(leaky_relu_prime(grid), "leaky_relu_prime(z)")
    require(got.shape == grid.shape, f"leaky_relu_prime(z) has shape {got.shape} for z of shape {grid.shape}.",
            "Work elementwise, e.g. with np.where.")
    expected = np.where(grid > 0, 1.0, 0.2)
    if np.allclose(got, np.where(grid > 0, 1.0, 0.0)):
        fail("this is ReLU's derivative: 0 for z < 0.", "Leaky ReLU keeps a slope on the negative side: `slope` for z < 0.")
    if np.allclose(got, np.where(grid > 0, grid, 0.2 * grid)):
        fail("this is Leaky ReLU itself, not its derivative.", "The derivative is constant on each side: 1 or `slope`.")
    require(np.allclose(got, expected), "leaky_relu_prime does not give 1 for z > 0 and 0.2 for z < 0.",
            "np.where(z >= 0, 1.0, slope)")
    got_slope = as_array(leaky_relu_prime(np.array([-1.0]), slope=0.01), "leaky_relu_prime(z, slope=0.01)")
    require(np.allclose(got_slope, 0.01), "the `slope` argument is ignored.", "Use the `slope` parameter, not a fixed 0.2.")
    passed("never 0: a Leaky ReLU unit always passes some gradient back, `slope` of it for z < 0.")


def check_predicted_growth(predicted_growth, low_gain=2.0, high_gain=3.0, depth=30):
    """Exercise 2: the hidden kernel gradients of an L-layer ReLU net, gain ``high_gain`` over ``low_gain``.

    Each hidden kernel gradient carries L - 1 factors of sqrt(g) (the forward
    signal below the layer, the error above it), so the ratio is
    (high/low)^((L-1)/2).
    """
    value = float(as_array(predicted_growth, "predicted_growth"))
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
    require(np.isclose(value, expected, rtol=1e-9), f"predicted_growth is {value:.6g}; that is not what the rule of section 3 gives.",
            "Count the factors of sqrt(g) a hidden kernel gradient carries, then raise the gains' ratio to that power over 2.")
    passed(f"about {expected:,.0f}x: raising the gain by half compounds over 29 layers.")
