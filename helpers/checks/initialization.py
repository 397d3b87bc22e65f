"""Checks for notebook 04's exercises (weight initialization)."""

import math

import numpy as np

from .core import as_number, call, fail, how_far, passed, require, require_callable

# (fan_in, fan_out) pairs where the three formulas and their usual mix-ups all differ.
_FANS = [(784, 300), (300, 100), (100, 10)]

_NAMES = {"glorot": "Glorot's", "he": "He's", "lecun": "LeCun's"}


def _variance(kind, fan_in, fan_out):
    return {"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in, "lecun": 1 / fan_in}[kind]


def check_init_std(init_std):
    """Exercise 1: the standard deviation of Glorot's, He's and LeCun's weights."""
    require_callable(init_std, "init_std")
    for kind in ("glorot", "he", "lecun"):
        for fan_in, fan_out in _FANS:
            call_text = f"init_std({kind!r}, {fan_in}, {fan_out})"
            value = as_number(call(init_std, call_text, 'Handle the three kinds "glorot", "he" and "lecun", '
                                   "with the signature init_std(kind, fan_in, fan_out).", kind, fan_in, fan_out),
                              call_text, "Return one number, the standard deviation.")
            variance = _variance(kind, fan_in, fan_out)
            expected = math.sqrt(variance)
            if np.isclose(value, expected, rtol=1e-6):
                continue
            where = f"{call_text} is {value:.6g}"
            if np.isclose(value, variance, rtol=1e-6):
                fail(f"{where}: that is the variance, not the standard deviation.", "Take the square root of the variance.")
            if kind == "glorot" and np.isclose(value, math.sqrt(1 / (fan_in + fan_out)), rtol=1e-6):
                fail(f"{where}: the variance is 1/fan_avg, with fan_avg = (fan_in + fan_out) / 2.",
                     "fan_avg is the *average* of the two fans, not their sum.")
            if np.isclose(value, math.sqrt(3 * variance), rtol=1e-6):
                fail(f"{where}: that is the uniform limit r = sqrt(3 sigma^2), not the standard deviation.",
                     "Return sqrt(Var[w]) itself.")
            if kind == "he" and np.isclose(value, math.sqrt(1 / fan_in), rtol=1e-6):
                fail(f"{where}: that is LeCun's; He's doubles the variance for ReLU.",
                     "He's variance is twice LeCun's, to make up for ReLU zeroing half of each layer's output (section 1).")
            if kind == "lecun" and np.isclose(value, math.sqrt(2 / fan_in), rtol=1e-6):
                fail(f"{where}: that is He's; LeCun's has no factor of 2.",
                     "LeCun's variance keeps a linear-ish unit's signal level; only He's doubles it for ReLU (section 1).")
            if kind in ("he", "lecun") and np.isclose(value, expected * math.sqrt(fan_in / fan_out), rtol=1e-6):
                fail(f"{where}: He's and LeCun's use the fan-in.", "Divide by fan_in, the number of inputs per unit.")
            fail(f"{where}: {how_far(value, expected)}.",
                 f"Look up {_NAMES[kind]} variance in section 1's table, then return its square root.")
    passed("Glorot, He and LeCun: one rule, three choices of what to keep at 1.")


def check_he_uniform_limit(he_uniform_limit):
    """Exercise 2: r with U[-r, r] of variance 2 / fan_in, i.e. sqrt(6 / fan_in)."""
    require_callable(he_uniform_limit, "he_uniform_limit")
    for fan_in in (784, 100):
        call_text = f"he_uniform_limit({fan_in})"
        value = as_number(call(he_uniform_limit, call_text, "Use the signature he_uniform_limit(fan_in).", fan_in),
                          call_text, "Return one number, the limit r.")
        expected = math.sqrt(6 / fan_in)
        if np.isclose(value, expected, rtol=1e-6):
            continue
        where = f"{call_text} is {value:.6g}"
        if np.isclose(value, math.sqrt(2 / fan_in), rtol=1e-6):
            fail(f"{where}: that is He's standard deviation, not the uniform limit.",
                 "U[-r, r] has variance r^2 / 3: set that equal to He's variance and solve for r.")
        if np.isclose(value, math.sqrt(3 / fan_in), rtol=1e-6):
            fail(f"{where}: that is LeCun-uniform's limit; He's variance has a factor of 2.",
                 "Use He's variance, twice LeCun's, when you solve r^2 / 3 = Var[w].")
        if np.isclose(value, 3 * math.sqrt(2 / fan_in), rtol=1e-6):
            fail(f"{where}: the 3 multiplies the standard deviation, but it belongs under the square root.",
                 "r^2 / 3 = Var[w] gives r^2 = 3 Var[w]: take the square root of the whole right-hand side.")
        if np.isclose(value, 6 / fan_in, rtol=1e-6):
            fail(f"{where}: that is r^2, not r.", "Take the square root.")
        fail(f"{where}: {how_far(value, expected)}.", "U[-r, r] has variance r^2 / 3: set that equal to He's variance and solve for r.")
    passed(f"r = sqrt(6 / fan_in): {math.sqrt(6 / 784):.4f} for 784 inputs, the same as keras.initializers.HeUniform.")


def check_glorot_relu_std_ratio(glorot_relu_std_ratio, depth=50):
    """Exercise 3: ReLU + Glorot with equal fans: each layer above the first halves the variance."""
    value = as_number(glorot_relu_std_ratio, "glorot_relu_std_ratio")
    expected = 2 ** (-(depth - 1) / 2)
    require(np.isfinite(value), f"glorot_relu_std_ratio is {value}, not a finite number.",
            "Multiply the per-layer factors of the std: none of them is 0 or infinite.")
    require(value > 0, f"glorot_relu_std_ratio is {value:.4g}; a ratio of standard deviations is positive.",
            "Each layer multiplies the std by a positive factor.")
    if np.isclose(value, 2 ** -(depth - 1), rtol=1e-6):
        fail(f"{value:.3g} is the ratio of the *variances*.", "The ratio of the standard deviations is its square root.")
    if np.isclose(value, 2 ** (-depth / 2), rtol=1e-6):
        fail(f"{value:.3g} counts 50 factors; between layer 1's output and layer 50's there are 49 layers.",
             "Count only the layers after layer 1: each of them multiplies the std by the same factor.")
    if np.isclose(value, 1 / expected, rtol=1e-6):
        fail(f"{value:.3g} is larger than 1: the signal shrinks with Glorot's weights under ReLU.",
             "With Var[w] = 1/100 and 100 inputs the kernel keeps the variance, and ReLU then halves it (1/2 from ReLU).")
    if np.isclose(value, 1.0):
        fail("1 is He's ratio: Glorot's weights have half of He's variance for equal fans.",
             "Each layer keeps 100 * (1/100) * (1/2) of the variance.")
    require(np.isclose(value, expected, rtol=1e-6), f"glorot_relu_std_ratio is {value:.4g}: {how_far(value, expected)}.",
            "Each of layers 2..50 multiplies the variance by fan_in * Var[w] * 1/2 (section 3); the std by its square root.")
    passed(f"{expected:.1e}: the 'small' factor 1/sqrt(2) compounds to more than seven orders of magnitude.")
