"""Checks for notebook 04's exercises (weight initialization)."""

import math

import numpy as np

from .core import as_array, fail, passed, require, require_callable

# (fan_in, fan_out) pairs where the three formulas and their usual mix-ups all differ.
_FANS = [(784, 300), (300, 100), (100, 10)]


def _variance(kind, fan_in, fan_out):
    return {"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in, "lecun": 1 / fan_in}[kind]


def check_init_std(init_std):
    """Exercise 1: the standard deviation of Glorot's, He's and LeCun's weights."""
    require_callable(init_std, "init_std")
    for kind in ("glorot", "he", "lecun"):
        for fan_in, fan_out in _FANS:
            try:
                value = float(as_array(init_std(kind, fan_in, fan_out), f"init_std({kind!r}, {fan_in}, {fan_out})"))
            except (KeyError, ValueError) as exc:
                fail(f"init_std({kind!r}, {fan_in}, {fan_out}) raised {type(exc).__name__}: {exc}.",
                     'Handle the three kinds "glorot", "he" and "lecun".')
            variance = _variance(kind, fan_in, fan_out)
            expected = math.sqrt(variance)
            if np.isclose(value, expected, rtol=1e-6):
                continue
            where = f"init_std({kind!r}, {fan_in}, {fan_out}) is {value:.6g}"
            if np.isclose(value, variance, rtol=1e-6):
                fail(f"{where}: that is the variance, not the standard deviation.", "Take the square root of the variance.")
            if kind == "glorot" and np.isclose(value, math.sqrt(1 / (fan_in + fan_out)), rtol=1e-6):
                fail(f"{where}: the variance is 1/fan_avg, with fan_avg = (fan_in + fan_out) / 2.",
                     "Var[w] = 2 / (fan_in + fan_out).")
            if kind in ("glorot", "he", "lecun") and np.isclose(value, math.sqrt(3 * variance), rtol=1e-6):
                fail(f"{where}: that is the uniform limit r = sqrt(3 sigma^2), not the standard deviation.",
                     "Return sqrt(Var[w]) itself.")
            if kind == "he" and np.isclose(value, math.sqrt(1 / fan_in), rtol=1e-6):
                fail(f"{where}: that is LeCun's; He's doubles the variance for ReLU.", "Var[w] = 2 / fan_in for He.")
            if kind == "lecun" and np.isclose(value, math.sqrt(2 / fan_in), rtol=1e-6):
                fail(f"{where}: that is He's; LeCun's has no factor of 2.", "Var[w] = 1 / fan_in for LeCun.")
            if kind in ("he", "lecun") and np.isclose(value, expected * math.sqrt(fan_in / fan_out), rtol=1e-6):
                fail(f"{where}: He's and LeCun's use the fan-in.", "Divide by fan_in, the number of inputs per unit.")
            fail(f"{where}; it should be {expected:.6g}.", "Glorot: 2 / (fan_in + fan_out); He: 2 / fan_in; LeCun: 1 / fan_in; then the square root.")
    passed("Glorot, He and LeCun: one rule, three choices of what to keep at 1.")


def check_he_uniform_limit(he_uniform_limit):
    """Exercise 2: r with U[-r, r] of variance 2 / fan_in, i.e. sqrt(6 / fan_in)."""
    require_callable(he_uniform_limit, "he_uniform_limit")
    for fan_in in (784, 100):
        value = float(as_array(he_uniform_limit(fan_in), f"he_uniform_limit({fan_in})"))
        expected = math.sqrt(6 / fan_in)
        if np.isclose(value, expected, rtol=1e-6):
            continue
        where = f"he_uniform_limit({fan_in}) is {value:.6g}"
        if np.isclose(value, math.sqrt(2 / fan_in), rtol=1e-6):
            fail(f"{where}: that is He's standard deviation, not the uniform limit.",
                 "U[-r, r] has variance r^2 / 3, so r = sqrt(3 * Var[w]).")
        if np.isclose(value, math.sqrt(3 / fan_in), rtol=1e-6):
            fail(f"{where}: that is LeCun-uniform's limit; He's variance has a factor of 2.", "r = sqrt(3 * 2 / fan_in).")
        if np.isclose(value, 3 * math.sqrt(2 / fan_in), rtol=1e-6) or np.isclose(value, 6 / fan_in, rtol=1e-6):
            fail(f"{where}: the square root goes over the whole 3 sigma^2.", "r = sqrt(3 * sigma^2) = sqrt(6 / fan_in).")
        fail(f"{where}; it should be {expected:.6g}.", "U[-r, r] has variance r^2 / 3: solve r^2 / 3 = 2 / fan_in.")
    passed(f"r = sqrt(6 / fan_in): {math.sqrt(6 / 784):.4f} for 784 inputs, the same as keras.initializers.HeUniform.")


def check_glorot_relu_std_ratio(glorot_relu_std_ratio, depth=50):
    """Exercise 3: ReLU + Glorot with equal fans: each layer above the first halves the variance."""
    value = float(as_array(glorot_relu_std_ratio, "glorot_relu_std_ratio"))
    expected = 2 ** (-(depth - 1) / 2)
    require(np.isfinite(value) and value > 0, f"glorot_relu_std_ratio is {value}; a ratio of standard deviations is positive.",
            "Each layer multiplies the std by a positive factor.")
    if np.isclose(value, 2 ** -(depth - 1), rtol=1e-6):
        fail(f"{value:.3g} is the ratio of the *variances*: 1/2 per layer.", "The std is the square root: 1/sqrt(2) per layer.")
    if np.isclose(value, 2 ** (-depth / 2), rtol=1e-6):
        fail(f"{value:.3g} counts 50 factors; between layer 1's output and layer 50's there are 49 layers.",
             "Layers 2 to 50 each shrink it: (1/sqrt(2)) ** 49.")
    if np.isclose(value, 1 / expected, rtol=1e-6):
        fail(f"{value:.3g} is larger than 1: the signal shrinks with Glorot's weights under ReLU.",
             "Var[w] = 1/100 with 100 inputs gives 1 x (1/2 from ReLU): a factor 1/sqrt(2) per layer.")
    if np.isclose(value, 1.0):
        fail("1 is He's ratio: Glorot's weights have half of He's variance for equal fans.",
             "Each layer keeps 100 * (1/100) * (1/2) of the variance.")
    require(np.isclose(value, expected, rtol=1e-6), f"glorot_relu_std_ratio is {value:.4g}; the rule gives {expected:.4g}.",
            "(1/sqrt(2)) ** 49: each of layers 2..50 multiplies the variance by 100 * (1/100) / 2.")
    passed(f"{expected:.1e}: the 'small' factor 1/sqrt(2) compounds to more than seven orders of magnitude.")
