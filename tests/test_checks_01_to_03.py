"""Exercise checks for notebooks 00-03: the reference solution passes, typical mistakes get their hint."""

from types import SimpleNamespace

import numpy as np
import pytest

from assertions import fails_with
from helpers.checks import (
    check_brightest,
    check_db1,
    check_leaky_relu_prime,
    check_predicted_growth,
    check_saturation_z,
    check_tanh_backward,
    check_tanh_identity,
    check_tanh_prime_at_0,
    check_valid_mean,
)


@pytest.fixture
def tiny_data():
    rng = np.random.default_rng(0)
    y_train = np.repeat(np.arange(3), 20)
    x_train = rng.uniform(0, 1, size=(60, 4, 4)) * (1 + y_train[:, None, None]) / 3  # class 2 brightest, 0 darkest
    x_valid = rng.uniform(0, 1, size=(30, 4, 4)) * 0.6
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_valid=x_valid, class_names=["Dim", "Mid", "Bright"])


def test_brightest(tiny_data, capsys):
    check_brightest("Bright", tiny_data)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_brightest, 2, tiny_data, hint="data.class_names")
    fails_with(check_brightest, "Dim", tiny_data, hint="argmax, not argmin")
    fails_with(check_brightest, "Mid", tiny_data, hint="Average the pixels")
    fails_with(check_brightest, "Sneaker", tiny_data, hint="Compute one mean per class")


def test_valid_mean(tiny_data, capsys):
    mean, std = tiny_data.x_train.mean(), tiny_data.x_train.std()
    check_valid_mean(float(((tiny_data.x_valid - mean) / std).mean()), tiny_data)
    assert "Correct" in capsys.readouterr().out
    own = (tiny_data.x_valid - tiny_data.x_valid.mean()) / tiny_data.x_valid.std()
    fails_with(check_valid_mean, float(own.mean()), tiny_data, hint="*training* mean and std")
    fails_with(check_valid_mean, float(tiny_data.x_valid.mean()), tiny_data, hint="Standardize first")
    fails_with(check_valid_mean, "0.1", tiny_data, hint="float()")


TWO_NEURONS = dict(x=1.5, y=1.0, w1=0.8, b1=-0.3, w2=1.2, b2=0.1)


def reference_db1(x, y, w1, b1, w2, b2):
    a1 = 1 / (1 + np.exp(-(w1 * x + b1)))
    y_hat = 1 / (1 + np.exp(-(w2 * a1 + b2)))
    return (y_hat - y) * y_hat * (1 - y_hat) * w2 * a1 * (1 - a1)


def test_db1(capsys):
    right = reference_db1(**TWO_NEURONS)
    check_db1(right, *TWO_NEURONS.values())
    assert "Correct" in capsys.readouterr().out
    fails_with(check_db1, right * TWO_NEURONS["x"], *TWO_NEURONS.values(), hint="the last factor is 1, not x")
    fails_with(check_db1, -right, *TWO_NEURONS.values(), hint="y_hat - y")
    fails_with(check_db1, right * 1.1, *TWO_NEURONS.values(), hint="same chain of factors as dJ/dw1")
    fails_with(check_db1, None, *TWO_NEURONS.values(), hint="return")


def test_tanh_backward(capsys):
    check_tanh_backward(lambda upstream, a: upstream * (1 - a**2))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_tanh_backward, lambda upstream, a: 1 - a**2, hint="gradient arriving from above")
    fails_with(check_tanh_backward, lambda upstream, a: upstream * (1 - np.tanh(a) ** 2), hint="a = tanh(z)")
    fails_with(check_tanh_backward, lambda upstream, a: upstream * (1 - a), hint="1 - tanh(z)**2")
    fails_with(check_tanh_backward, lambda upstream, a: upstream @ (1 - a**2).T, hint="elementwise")
    fails_with(check_tanh_backward, 0.5, hint="def tanh_backward")


def test_saturation_z(capsys):
    check_saturation_z(np.log(99))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_saturation_z, -np.log(99), hint="check the signs")
    fails_with(check_saturation_z, 4.6, hint="closed form")
    fails_with(check_saturation_z, np.log(0.99 / 0.01) / 2, hint="Solve 1 / (1 + e^(-z))")
    fails_with(check_saturation_z, np.log10(99), hint="natural logarithm")


def test_tanh_identity_and_prime(capsys):
    z = np.linspace(-5, 5, 101)
    check_tanh_identity(np.max(np.abs(np.tanh(z) - (2 / (1 + np.exp(-2 * z)) - 1))))
    check_tanh_prime_at_0(4 * 0.25)
    assert capsys.readouterr().out.count("Correct") == 2
    fails_with(check_tanh_identity, np.max(np.abs(np.tanh(z) - (2 / (1 + np.exp(-z)) - 1))), hint="2z inside")
    fails_with(check_tanh_identity, -1e-13, hint="absolute")
    fails_with(check_tanh_prime_at_0, 0.25, hint="two factors of 2")
    fails_with(check_tanh_prime_at_0, 0.5, hint="chain rule on 2z")


def test_leaky_relu_prime(capsys):
    check_leaky_relu_prime(lambda z, slope=0.2: np.where(z >= 0, 1.0, slope))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_leaky_relu_prime, lambda z, slope=0.2: (z > 0).astype(float), hint="negative side")
    fails_with(check_leaky_relu_prime, lambda z, slope=0.2: np.where(z > 0, z, slope * z), hint="that line's slope, a constant")
    fails_with(check_leaky_relu_prime, lambda z, slope=0.2: np.where(z >= 0, 1.0, 0.2), hint="`slope` parameter")


def test_predicted_growth(capsys):
    check_predicted_growth(1.5 ** 14.5)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_predicted_growth, 1.5 ** 15, hint="one too many")
    fails_with(check_predicted_growth, 1.5 ** 30, hint="variance")
    fails_with(check_predicted_growth, 3.0 ** 14.5, hint="gain 1")
    fails_with(check_predicted_growth, 1.5 * 14.5, hint="multiplies")
    fails_with(check_predicted_growth, 2.0 ** 14.5, hint="Count the factors")
    fails_with(check_predicted_growth, "a lot", hint="number")


def test_failure_renders_without_traceback_in_jupyter():
    error = fails_with(check_saturation_z, 4.6, hint="closed form")
    lines = error._render_traceback_()
    assert "Not quite" in lines[0] and "Hint" in lines[1]
