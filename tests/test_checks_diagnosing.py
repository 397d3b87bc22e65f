"""Exercise checks for notebook 08: the reference solutions pass, typical mistakes get their hint."""

import math

import numpy as np

from assertions import fails_with
from helpers.checks import check_mystery_e, check_vanishing_ratio, check_weight_decay


def test_vanishing_ratio(capsys):
    check_vanishing_ratio(lambda grads: float((grads.iloc[:, 0] / grads.iloc[:, -1]).median()))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_vanishing_ratio, lambda g: float((g.iloc[:, -1] / g.iloc[:, 0]).median()), hint="Divide the first layer's norm by the last")
    fails_with(check_vanishing_ratio, lambda g: float((g.iloc[:, 0] / g.iloc[:, -1]).mean()), hint="Use the median")
    fails_with(check_vanishing_ratio, lambda g: float(g.iloc[-1, 0] / g.iloc[-1, -1]), hint="at every recorded step")
    fails_with(check_vanishing_ratio, lambda g: float((g.iloc[:, 0] / g.iloc[:, -2]).median()), hint="grads.iloc[:, -1]")
    fails_with(check_vanishing_ratio, lambda g: float(g.iloc[:, 0].median() / g.iloc[:, -1].median()), hint="Divide the columns first")
    fails_with(check_vanishing_ratio, lambda g: g.iloc[:, 0] / g.iloc[:, -1], hint="Take the median over the steps")
    fails_with(check_vanishing_ratio, lambda g: g["first"], hint="grads.iloc[:, 0]")
    fails_with(check_vanishing_ratio, 0.001, hint="def vanishing_ratio")


def test_weight_decay(capsys):
    shrink = 1 - 2 * 0.01 * 0.01
    steps = math.log(0.5) / math.log(shrink)
    check_weight_decay(shrink, steps)
    check_weight_decay(shrink, math.ceil(steps))  # a whole number of steps is fine
    check_weight_decay(shrink, math.log(2) / (2 * 0.01 * 0.01))  # the small-rate approximation too
    assert "Correct" in capsys.readouterr().out
    fails_with(check_weight_decay, 1 - 0.01 * 0.01, steps, hint="brings down a factor of 2")
    fails_with(check_weight_decay, 2 * 0.01 * 0.01, steps, hint="the factor is close to 1")
    fails_with(check_weight_decay, shrink, 0.5 / (2 * 0.01 * 0.01), hint="solve shrink_per_step ** n = 0.5")
    fails_with(check_weight_decay, shrink, -steps, hint="check the signs")
    fails_with(check_weight_decay, shrink, np.log10(0.5) / np.log(shrink), hint="same logarithm of both sides")
    fails_with(check_weight_decay, shrink, 1000.0, hint="take the logarithm of both sides")
    fails_with(check_weight_decay, 0.99, steps, hint="factor out w")
    fails_with(check_weight_decay, None, steps, hint="return")


def test_mystery_e(capsys):
    check_mystery_e("saturation")
    check_mystery_e(" Saturated ")
    assert "Correct" in capsys.readouterr().out
    fails_with(check_mystery_e, "vanishing", hint="kernel_grad_norm")
    fails_with(check_mystery_e, "dying", hint="which activation")
    fails_with(check_mystery_e, "exploding", hint="across the layers")
    fails_with(check_mystery_e, "healthy", hint="plots.activation_histograms(record_e)")
    fails_with(check_mystery_e, "overfitting", hint="Choose one of")
    fails_with(check_mystery_e, 3, hint="Set it to one of")
