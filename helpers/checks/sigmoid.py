"""Checks for notebook 02's exercises (sigmoid saturation)."""

import numpy as np

from .core import as_number, fail, how_far, passed, require


def check_saturation_z(saturation_z):
    """Exercise 1: the z at which sigmoid(z) = 0.99, in closed form."""
    value = as_number(saturation_z, "saturation_z")
    expected = np.log(99)
    require(np.isfinite(value), f"saturation_z is {value}, not a finite number.",
            "Solve 1 / (1 + e^(-z)) = 0.99 for z: isolate e^(-z), then take the logarithm.")
    require(value > 0, f"saturation_z is {value:.4g}, but it should be positive.",
            "sigma(z) = 0.99 is above sigma(0) = 1/2, so z > 0: check the signs when you take the logarithm.")
    if np.isclose(value, np.log10(99), rtol=1e-9):
        fail(f"saturation_z is {value:.6g}: a base-10 logarithm.", "e^(-z) needs the natural logarithm, np.log.")
    if abs(value - expected) > 1e-9 and abs(value - expected) < 0.05:
        fail(f"saturation_z is {value:.6f}, close to the answer but not exact (a grid search?).",
             "Solve the equation in closed form with np.log.")
    require(abs(value - expected) < 1e-9, f"saturation_z is {value:.6g}; at that z the sigmoid is {1 / (1 + np.exp(-value)):.4f}, not 0.99.",
            "Solve 1 / (1 + e^(-z)) = 0.99 for z: isolate e^(-z), then take the logarithm.")
    passed(f"saturation starts at |z| = ln 99 = {expected:.3f}.")


def check_tanh_identity(max_identity_error):
    """Exercise 2a: the largest gap between tanh(z) and 2 sigmoid(2z) - 1 on the grid."""
    value = as_number(max_identity_error, "max_identity_error",
                      "Reduce the differences to one number: the maximum of their absolute values, e.g. with np.max.")
    require(np.isfinite(value), f"max_identity_error is {value}, not a finite number.",
            "Compare np.tanh(z) with 2 * sigmoid(2 * z) - 1 on the grid z, with a sigmoid that gives finite values.")
    require(value >= 0, "max_identity_error is negative.", "Take the maximum of the *absolute* differences.")
    require(value < 1e-12, f"max_identity_error is {value:.3g}: the two sides do not agree.",
            "Compare np.tanh(z) with 2 * sigmoid(2 * z) - 1 (note the 2z inside the sigmoid).")
    passed("tanh(z) = 2 sigmoid(2z) - 1 to round-off.")


def check_tanh_prime_at_0(tanh_prime_at_0):
    """Exercise 2b: tanh'(0) from the identity, 4 sigma'(0)."""
    value = as_number(tanh_prime_at_0, "tanh_prime_at_0")
    if np.isclose(value, 0.25):
        fail("0.25 is sigma'(0), not tanh'(0).", "Differentiate 2 sigma(2z) - 1: two factors of 2 multiply sigma'(2z).")
    if np.isclose(value, 0.5):
        fail("one factor of 2 is missing.", "d/dz [2 sigma(2z) - 1]: the chain rule on 2z brings a second factor of 2.")
    if np.isclose(value, 2.0):
        fail("2 is 4 sigma(0): sigma itself, not its derivative.", "Use sigma'(0) = sigma(0) (1 - sigma(0)).")
    if np.isclose(value, 0.0):
        fail("0 is tanh(0), not its derivative.", "Compute 4 sigma'(0), with sigma'(z) = sigma(z) (1 - sigma(z)).")
    require(np.isclose(value, 1.0, atol=1e-12), f"tanh_prime_at_0 is {value:.6g}: {how_far(value, 1.0)}.",
            "Evaluate sigma'(z) = sigma(z) (1 - sigma(z)) at z = 0 with your sigmoid, then multiply by 4.")
    passed("tanh'(0) = 4 x 0.25 = 1: four times sigmoid's peak.")
