"""Exercise checks for notebook 07: the reference solution passes, typical mistakes get their hint."""

import numpy as np

from assertions import fails_with
from helpers.checks import check_level_relu_gain, check_predicted_ratio, check_sigmoid_vanishing_gain


def test_predicted_ratio(capsys):
    check_predicted_ratio(0.9**49)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_predicted_ratio, 0.9**50, hint="49 applications")
    fails_with(check_predicted_ratio, (0.9 / np.sqrt(2)) ** 49, hint="f' = 1")
    fails_with(check_predicted_ratio, 0.9**-49, hint="below 1")
    fails_with(check_predicted_ratio, 0.9 * 49, hint="Use a power")
    fails_with(check_predicted_ratio, 0.5, hint="count the steps")
    fails_with(check_predicted_ratio, [0.9**49, 1.0], hint="single float")


def test_level_relu_gain(capsys):
    check_level_relu_gain(np.sqrt(2))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_level_relu_gain, 1.0, hint="per-step factor is exactly 1")
    fails_with(check_level_relu_gain, 2.0, hint="*length*")
    fails_with(check_level_relu_gain, 1 / np.sqrt(2), hint="solve for the gain")
    fails_with(check_level_relu_gain, None, hint="return")


def test_sigmoid_vanishing_gain(capsys):
    check_sigmoid_vanishing_gain(4.0)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_sigmoid_vanishing_gain, 0.25, hint="1 / gamma")
    fails_with(check_sigmoid_vanishing_gain, 1.0, hint="its own bound gamma")
    fails_with(check_sigmoid_vanishing_gain, 2.0, hint="largest value of sigmoid'(z)")
