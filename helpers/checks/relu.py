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
    passed("never 0, so a Leaky ReLU unit always passes some gradient back.")


def check_predicted_growth(predicted_growth, gain=1.5, depth=30):
    """Exercise 2: weight gradients at gain g vs g = 1 for an L-layer ReLU net: g^(L/2)."""
    value = float(as_array(predicted_growth, "predicted_growth"))
    expected = gain ** (depth / 2)
    if np.isclose(value, gain**depth):
        fail(f"{value:,.0f} is g^L: the gain scales the weights' *variance*.",
             "Each layer scales the signal's size by sqrt(g), so L layers give g^(L/2).")
    if np.isclose(value, np.sqrt(gain) * depth) or np.isclose(value, gain * depth):
        fail("the growth adds up, but it multiplies: one factor per layer.", "Use a power: g ** (L / 2).")
    if np.isclose(value, gain ** ((depth - 1) / 2)):
        fail("g^((L-1)/2) is the ratio of the backpropagated signal at layer 1 to layer L.",
             "The weight gradients all grow by g^(L/2) compared with g = 1 (section 3).")
    require(np.isclose(value, expected, rtol=1e-9), f"predicted_growth is {value:.6g}; the rule gives {expected:,.0f}.",
            "g ** (L / 2) with g = 1.5 and L = 30.")
    passed(f"about {expected:,.0f}x: a modest gain of 1.5 compounds over 30 layers.")
