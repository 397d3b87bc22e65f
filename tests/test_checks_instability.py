"""Exercise checks for notebook 10 (training instability): the reference solutions pass, typical mistakes get their hint."""

import math

import numpy as np

from assertions import fails_with
from helpers.checks import check_max_stable_rate, check_shortest_warmup


def test_max_stable_rate(capsys):
    check_max_stable_rate(lambda sharpness, momentum=0.0: 2 * (1 + momentum) / sharpness)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: 1 / sharpness, hint="magnitude below 1")
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: 2 / sharpness, hint="z = -1")
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: 2 / ((1 - momentum) * sharpness), hint="z = -1")
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: (1 + momentum) / sharpness, hint="magnitude below 1")
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: 2 * (1 - momentum) / sharpness, hint="z = -1")
    fails_with(check_max_stable_rate, lambda sharpness: 2 / sharpness, hint="z = -1")  # no momentum argument
    fails_with(check_max_stable_rate, lambda sharpness, momentum=0.0: np.array([1.0, 2.0]), hint="single number")


def test_heavy_ball_limit_is_checked_by_simulation():
    from helpers.checks.instability import _heavy_ball_grows

    assert not _heavy_ball_grows(20.0, 0.9, 0.99 * 2 * 1.9 / 20)
    assert _heavy_ball_grows(20.0, 0.9, 1.01 * 2 * 1.9 / 20)
    assert not _heavy_ball_grows(20.0, 0.9, 1.01 * 2 / 20)  # above the plain limit, still stable with momentum


def test_shortest_warmup(capsys):
    check_shortest_warmup(lambda peak, weight_rms, target=1e-3: math.ceil(peak / (target * weight_rms)))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: math.floor(peak / (target * weight_rms)),
               hint="too short")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: peak / (target * weight_rms), hint="round up")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: 0,
               hint="at least one step")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: math.ceil(peak / target), hint="too short")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: 2 * math.ceil(peak / (target * weight_rms)),
               hint="longer than needed")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: math.ceil(peak * weight_rms / target), hint="too short")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: 200, hint="longer than needed")
    fails_with(check_shortest_warmup, lambda peak, weight_rms: 24, hint="signature")
    fails_with(check_shortest_warmup, lambda peak, weight_rms, target=1e-3: int(peak / (target * weight_rms)) + 1,
               hint="longer than needed")  # right except on a whole-number boundary


def test_float32_answers_pass(capsys):
    check_max_stable_rate(lambda sharpness, momentum=0.0: np.float32(2) * (np.float32(1) + np.float32(momentum)) / np.float32(sharpness))
    assert "Correct" in capsys.readouterr().out
