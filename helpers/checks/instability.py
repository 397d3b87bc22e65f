"""Checks for notebook 10's exercises (training instability: step size and warmup)."""

import math

from .core import as_number, call, fail, how_far, passed, require, require_callable

_MOMENTUM_HINT = ("In one direction of curvature lambda, w_next = (1 + beta - eta*lambda) w - beta w_previous. "
                  "The recurrence is stable while both roots of z^2 - (1 + beta - eta*lambda) z + beta = 0 lie inside "
                  "the unit circle; as eta grows, one root leaves through z = -1. Solve for that eta.")
_CASES = ((20.0, 0.0), (20.0, 0.9), (3.5, 0.5), (0.4, 0.99), (1000.0, 0.25))


def _heavy_ball_grows(sharpness, momentum, rate, steps=4000):
    """Whether heavy-ball momentum on L = sharpness * w^2 / 2 grows from w = 1 (True) or shrinks (False)."""
    w, v = 1.0, 0.0
    for _ in range(steps):
        v = momentum * v - rate * sharpness * w
        w = w + v
        if abs(w) > 1e6:  # grown: stop before it overflows to inf and NaN
            return True
    return abs(w) > 1.0


def check_max_stable_rate(max_stable_rate):
    """Exercise 1: heavy-ball momentum beta is stable on curvature lambda while eta < 2 (1 + beta) / lambda."""
    require_callable(max_stable_rate, "max_stable_rate")
    for sharpness, momentum in _CASES:
        expected = 2 * (1 + momentum) / sharpness
        # The formula is checked against the recurrence itself, on every run.
        if _heavy_ball_grows(sharpness, momentum, 0.99 * expected) or not _heavy_ball_grows(sharpness, momentum, 1.01 * expected):
            raise RuntimeError("the heavy-ball recurrence disagrees with 2 (1 + beta) / lambda: this check is wrong")
        text = f"max_stable_rate({sharpness:g}, momentum={momentum:g})"
        got = as_number(call(max_stable_rate, text, _MOMENTUM_HINT, sharpness, momentum=momentum), text)
        if momentum == 0:
            require(math.isclose(got, expected, rel_tol=1e-6),
                    f"{text} is off: {how_far(got, expected)}; without momentum it should be section 1's limit.",
                    "Without momentum one step multiplies the distance by 1 - eta*lambda: stable while that has magnitude below 1.")
            continue
        if math.isclose(got, 2 / sharpness, rel_tol=1e-6):
            fail(f"{text} is the limit without momentum: momentum changes it.", _MOMENTUM_HINT)
        if math.isclose(got, 2 / ((1 - momentum) * sharpness), rel_tol=1e-6):
            fail(f"{text} is too large: {how_far(got, expected)}. Dividing by (1 - beta) is the effective rate on a "
                 "flat slope, not the stability limit.", _MOMENTUM_HINT)
        require(math.isclose(got, expected, rel_tol=1e-6), f"{text} is off: {how_far(got, expected)}.", _MOMENTUM_HINT)  # float32 answers pass
    passed("2 (1 + beta) / lambda: with momentum 0.9 gradient descent diverges only above 1.9 times the rate "
           "that limits it without momentum.")


_WARMUP_HINT = ("With LinearWarmup(peak, T) the first update's rate is peak / T, so the first ratio is about "
                "peak / (T * weight_rms). Find the smallest whole T for which that is at most target.")
# Powers of two divide exactly, so 2**-7 / (2**-10 * 2**-3) is exactly 64 in any order: the boundary case.
_WARMUP_CASES = ((2**-7, 2**-3, 2**-10), (0.003, 0.045, 1e-3), (0.001, 0.0884, 1e-3), (0.01, 0.03, 1e-3), (0.003, 0.07, 1e-4), (1e-5, 0.1, 1e-3))


def _first_ratio(peak, steps, weight_rms):
    return peak / steps / weight_rms


def check_shortest_warmup(shortest_warmup):
    """Exercise 2: the smallest whole T >= 1 with peak / (T * weight_rms) <= target."""
    require_callable(shortest_warmup, "shortest_warmup")
    for peak, weight_rms, target in _WARMUP_CASES:
        text = f"shortest_warmup({peak:g}, {weight_rms:g}, target={target:g})"
        expected = math.ceil(peak / (target * weight_rms))
        got = as_number(call(shortest_warmup, text, "Use the signature shortest_warmup(peak, weight_rms, target=1e-3).",
                             peak, weight_rms, target=target), text)
        if not float(got).is_integer():
            fail(f"{text} is {got:.4g}, not a whole number of steps.", "A warmup lasts a whole number of steps: round up.")
        got = int(got)
        if got < 1:
            fail(f"{text} is {got}: a warmup needs at least one step (LinearWarmup divides by it).",
                 "When the peak rate already meets the target, one step (no warmup at all) is enough.")
        if _first_ratio(peak, got, weight_rms) > target * (1 + 1e-9):
            fail(f"{text} is too short: with {got} steps the first update:weight ratio is still above the target "
                 f"({how_far(got, expected)}).", _WARMUP_HINT)
        require(got == expected, f"{text} is longer than needed: {how_far(got, expected)}.", _WARMUP_HINT)
    passed("ceil(peak / (target * weight_rms)): the first rate, peak / T, may be at most target * weight_rms. This bounds "
           "the first update only: the second is already twice as large, and Adam's estimate of the gradient's size "
           "averages over many more steps (Ma & Yarats, 2021, suggest a warmup of 2 / (1 - beta_2) steps, 2,000 for "
           "Keras's default beta_2 = 0.999).")
