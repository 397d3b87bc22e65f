"""Checks for notebook 11's exercises (the numerics of gradients: spacing, dynamic loss scaling)."""

import math

import ml_dtypes
import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable

# Values exactly representable in every format below: powers of two (the boundary), numbers between them,
# subnormal ones (2^-20 in float16), a negative one.
_VALUES = (1.0, 1024.0, 1000.0, 3.0, -3.0, 0.375, 2.0**-20, 2.0**-14, 96.0)
_SMALL_VALUES = (1.0, 1024.0, 3.0, -3.0, 0.375, 96.0, 2.0**-15)  # for 2 fraction bits (2^-15 is subnormal there)
# (name, NumPy type or None, exponent bits, fraction bits, values). A format no library has is checked against
# the formula, which is itself checked against every library format on every run.
_FORMATS = (("float16", np.float16, 5, 10, _VALUES), ("bfloat16", ml_dtypes.bfloat16, 8, 7, _VALUES),
            ("float32", np.float32, 8, 23, _VALUES), ("float64", np.float64, 11, 52, _VALUES),
            ("float8_e5m2", ml_dtypes.float8_e5m2, 5, 2, _SMALL_VALUES),
            ("a format with 6 exponent and 4 fraction bits", None, 6, 4, (1.0, 3.0, -3.0, 0.375, 96.0, 2.0**-33, 2.0**20)),
            ("a format with 4 exponent and 3 fraction bits", None, 4, 3, (1.0, 3.0, -3.0, 0.375, 96.0, 2.0**-8, 2.0**-7)))
_SPACING_HINT = ("Between 2^k and 2^(k+1) a format with m fraction bits has 2^m evenly spaced numbers, so the gap is "
                 "2^k * 2^-m, whatever |x| is within that range. Below the smallest normal number, 2^(1 - bias), the gap stays "
                 "that of the smallest normal range.")


def _library_spacing(x, dtype):
    """The gap from |x| to the next number of ``dtype``, read off the bits: the next bit pattern up."""
    value = np.array([abs(x)], dtype=dtype)
    if float(value[0]) != abs(x):
        raise RuntimeError(f"{x} is not exactly representable in {np.dtype(dtype).name}: this check is wrong")
    bits = value.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[value.itemsize])
    return float((bits + 1).view(dtype)[0]) - abs(x)


def _formula_spacing(x, exponent_bits, mantissa_bits):
    bias = 2 ** (exponent_bits - 1) - 1
    return 2.0 ** (max(math.floor(math.log2(abs(x))), 1 - bias) - mantissa_bits)


def check_spacing(spacing):
    """Exercise 1: the gap above |x| is 2^(max(floor(log2|x|), 1 - bias) - m)."""
    require_callable(spacing, "spacing")
    for name, dtype, e, m, values in _FORMATS:
        for x in values:
            expected = _formula_spacing(x, e, m)
            # Where a library has the format, the reference is the format itself, read bit by bit.
            if dtype is not None and expected != _library_spacing(x, dtype):
                raise RuntimeError(f"the formula disagrees with {name} at {x}: this check is wrong")
            text = f"spacing({x:g}, {e}, {m}) ({name})"
            got = as_number(call(spacing, text, "Use the signature spacing(x, exponent_bits, mantissa_bits).", x, e, m), text)
            if math.isclose(got, expected, rel_tol=1e-9):
                continue
            bias = 2 ** (e - 1) - 1
            if abs(x) < 2.0 ** (1 - bias) and math.isclose(got, 2.0 ** (math.floor(math.log2(abs(x))) - m), rel_tol=1e-9):
                fail(f"{text} is too small: {x:g} is subnormal in {name}, below the smallest normal number, where the "
                     "exponent cannot go lower and the gap stops shrinking.", _SPACING_HINT)
            if math.isclose(got, abs(x) * 2.0**-m, rel_tol=1e-9):
                fail(f"{text} is |x| * epsilon: {how_far(got, expected)}. The gap does not grow smoothly with x.", _SPACING_HINT)
            if math.isclose(got, 2 * expected, rel_tol=1e-9) or math.isclose(got, expected / 2, rel_tol=1e-9):
                fail(f"{text} is off by a factor of 2: {how_far(got, expected)}. Count the fraction bits, not the implicit "
                     "leading 1, and take the power of two at or below |x|.", _SPACING_HINT)
            require(False, f"{text} is off: {how_far(got, expected)}.", _SPACING_HINT)
    passed("the gap is constant between two powers of two and doubles at each one; float16's gap just above 1024 is "
           "already 1, and bfloat16's above 1 is 2^-7.")


_SCHEDULE_HINT = ("Keep two numbers, the scale and a count of good steps in a row. Record the scale the step runs with "
                  "before changing anything. An overflow halves the scale and resets the count; a good step adds one "
                  "to the count, and when the count reaches growth_steps the scale doubles and the count starts again.")


def _schedule(overflowed, initial_scale, growth_steps):
    """Keras's LossScaleOptimizer rule: the scale each step runs with."""
    scale, good, used = initial_scale, 0, []
    for overflow in overflowed:
        used.append(scale)
        if overflow:
            scale, good = scale / 2, 0
        else:
            good += 1
            if good == growth_steps:
                scale, good = scale * 2, 0
    return used


def _cases():
    rng = np.random.default_rng(11)
    yield [False] * 7, 8.0, 3
    yield [True, True, True, False, False, False, False], 2.0**24, 2
    yield [False, False, True, False, False, False, True, False, False, False, False], 1024.0, 3
    yield [False] * 4500, 2.0**15, 2000  # Keras's defaults
    yield list(rng.random(400) < 0.05), 2.0**20, 20


def check_loss_scale_schedule(loss_scale_schedule):
    """Exercise 2: the scale each step runs with under dynamic loss scaling."""
    require_callable(loss_scale_schedule, "loss_scale_schedule")
    for overflowed, initial, growth in _cases():
        text = f"loss_scale_schedule(<{len(overflowed)} steps, {sum(overflowed)} overflowed>, {initial:g}, {growth})"
        answer = call(loss_scale_schedule, text, "Use the signature loss_scale_schedule(overflowed, initial_scale, growth_steps).",
                      list(overflowed), initial, growth)
        got = as_array(answer, text, "Return a list with one scale per step.")
        expected = np.array(_schedule(overflowed, initial, growth))
        require(got.shape == expected.shape, f"{text} has shape {got.shape}: it should give one scale per step, {len(expected)}.",
                "Append the scale each step runs with, one per step, overflowed or not.")
        if np.array_equal(got, expected):
            continue
        step = int(np.flatnonzero(got != expected)[0])
        if step + 1 < len(expected) and np.array_equal(got[:-1], expected[1:]):
            fail(f"{text} gives each step the scale after it, not the one it ran with.", _SCHEDULE_HINT)
        before = f"the steps before it: {', '.join('overflow' if o else 'good' for o in overflowed[max(0, step - 4):step])}"
        fail(f"{text} differs first at step {step}: {how_far(got[step], expected[step])} ({before}).", _SCHEDULE_HINT)
    passed("halve on overflow, double after growth_steps good steps in a row. One overflow costs one skipped step and "
           "half the scale; getting the scale back takes growth_steps good steps, which is why Keras starts high and grows slowly.")
