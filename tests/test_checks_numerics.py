"""Exercise checks for notebook 11 (the numerics of gradients): the reference solutions pass, typical mistakes get their hint."""

import math

import ml_dtypes
import numpy as np
import pytest

from assertions import fails_with
from helpers.checks import check_loss_scale_schedule, check_spacing


def spacing(x, exponent_bits, mantissa_bits):
    bias = 2 ** (exponent_bits - 1) - 1
    return 2.0 ** (max(math.floor(math.log2(abs(x))), 1 - bias) - mantissa_bits)


def schedule(overflowed, initial_scale=2.0**15, growth_steps=2000):
    # Written the way Keras's LossScaleOptimizer is: the counter is compared before it is incremented.
    scale, counter, used = initial_scale, 0, []
    for overflow in overflowed:
        used.append(scale)
        if overflow:
            counter, scale = 0, scale * 0.5
        elif counter == growth_steps - 1:
            counter, scale = 0, scale * 2.0
        else:
            counter += 1
    return used


def test_spacing(capsys):
    check_spacing(spacing)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_spacing, lambda x, e, m: abs(x) * 2.0**-m, hint="evenly spaced")
    fails_with(check_spacing, lambda x, e, m: 2.0 ** (math.floor(math.log2(abs(x))) - m), hint="smallest normal")  # no subnormal floor
    fails_with(check_spacing, lambda x, e, m: spacing(x, e, m + 1), hint="evenly spaced")  # counts the implicit bit
    fails_with(check_spacing, lambda x, e, m: spacing(x, e, m - 1), hint="evenly spaced")
    fails_with(check_spacing, lambda x, e, m: 2.0 ** (math.ceil(math.log2(abs(x))) - m), hint="evenly spaced")  # rounds up
    fails_with(check_spacing, lambda x, e, m: spacing(x, e, m) if x > 0 else -spacing(x, e, m), hint="evenly spaced")
    fails_with(check_spacing, lambda x, e: spacing(x, e, 10), hint="signature")


def test_spacing_messages_name_the_mistake():
    with pytest.raises(Exception, match="subnormal"):
        check_spacing(lambda x, e, m: 2.0 ** (math.floor(math.log2(abs(x))) - m))
    with pytest.raises(Exception, match="factor of 2"):
        check_spacing(lambda x, e, m: spacing(x, e, m + 1))
    with pytest.raises(Exception, match=r"\|x\| \* epsilon"):
        check_spacing(lambda x, e, m: abs(x) * 2.0**-m)


def test_spacing_reference_is_the_format_itself():
    from helpers.checks.numerics import _library_spacing

    assert _library_spacing(1000.0, np.float16) == 0.5 == float(np.spacing(np.float16(1000)))
    assert _library_spacing(1.0, ml_dtypes.bfloat16) == 2.0**-7
    assert _library_spacing(2.0**-20, np.float16) == 2.0**-24  # subnormal: float16's smallest subnormal
    with pytest.raises(RuntimeError, match="not exactly representable"):
        _library_spacing(0.1, np.float16)


def test_loss_scale_schedule(capsys):
    check_loss_scale_schedule(schedule)
    assert "Correct" in capsys.readouterr().out
    check_loss_scale_schedule(lambda overflowed, initial_scale=2.0**15, growth_steps=2000:
                              np.array(schedule(overflowed, initial_scale, growth_steps), np.float32))  # an array passes

    def after_the_step(overflowed, initial_scale=2.0**15, growth_steps=2000):
        return schedule(overflowed, initial_scale, growth_steps)[1:] + [0.0]

    def no_reset(overflowed, initial_scale=2.0**15, growth_steps=2000):
        scale, good, used = initial_scale, 0, []
        for overflow in overflowed:
            used.append(scale)
            if overflow:
                scale /= 2
            else:
                good += 1
                if good == growth_steps:
                    scale, good = scale * 2, 0
        return used

    def counts_every_step(overflowed, initial_scale=2.0**15, growth_steps=2000):
        scale, used = initial_scale, []
        for step, overflow in enumerate(overflowed, start=1):
            used.append(scale)
            scale = scale / 2 if overflow else scale
            if step % growth_steps == 0:
                scale *= 2
        return used

    def one_step_late(overflowed, initial_scale=2.0**15, growth_steps=2000):
        return schedule(overflowed, initial_scale, growth_steps + 1)

    def never_grows(overflowed, initial_scale=2.0**15, growth_steps=2000):
        return schedule(overflowed, initial_scale, len(overflowed) + 1)

    for wrong in (after_the_step, no_reset, counts_every_step, one_step_late, never_grows):
        fails_with(check_loss_scale_schedule, wrong, hint="count of good steps")
    fails_with(check_loss_scale_schedule, lambda overflowed, initial_scale=2.0**15, growth_steps=2000:
               schedule(overflowed, initial_scale, growth_steps)[:-1], hint="one per step")
    fails_with(check_loss_scale_schedule, lambda overflowed: schedule(overflowed), hint="signature")
    with pytest.raises(Exception, match="scale after it"):
        check_loss_scale_schedule(after_the_step)


def test_spacing_needs_the_formula_not_a_lookup():
    lookup = {(5, 10): np.float16, (8, 7): ml_dtypes.bfloat16, (8, 23): np.float32, (11, 52): np.float64, (5, 2): ml_dtypes.float8_e5m2}

    def by_library(x, e, m):
        from helpers.checks.numerics import _library_spacing

        return _library_spacing(abs(x), lookup[(e, m)])  # a KeyError for a format no library has

    fails_with(check_spacing, by_library, hint="KeyError")
