"""Exercise checks for notebook 04: the reference solution passes, typical mistakes get their hint."""

import math


from assertions import fails_with
from helpers.checks import check_glorot_relu_std_ratio, check_he_uniform_limit, check_init_std


def reference_init_std(kind, fan_in, fan_out):
    return math.sqrt({"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in, "lecun": 1 / fan_in}[kind])


def test_init_std(capsys):
    check_init_std(reference_init_std)
    assert "Correct" in capsys.readouterr().out

    def variance(kind, fan_in, fan_out):
        return reference_init_std(kind, fan_in, fan_out) ** 2

    def glorot_without_2(kind, fan_in, fan_out):
        return math.sqrt(1 / (fan_in + fan_out)) if kind == "glorot" else reference_init_std(kind, fan_in, fan_out)

    def he_like_lecun(kind, fan_in, fan_out):
        return math.sqrt(1 / fan_in) if kind == "he" else reference_init_std(kind, fan_in, fan_out)

    def he_with_fan_out(kind, fan_in, fan_out):
        return math.sqrt(2 / fan_out) if kind == "he" else reference_init_std(kind, fan_in, fan_out)

    def uniform_limit(kind, fan_in, fan_out):
        return math.sqrt(3) * reference_init_std(kind, fan_in, fan_out)

    def only_glorot(kind, fan_in, fan_out):
        return {"glorot": reference_init_std("glorot", fan_in, fan_out)}[kind]

    fails_with(check_init_std, variance, hint="square root")
    fails_with(check_init_std, glorot_without_2, hint="*average* of the two fans")
    fails_with(check_init_std, he_like_lecun, hint="twice LeCun's")
    fails_with(check_init_std, he_with_fan_out, hint="Divide by fan_in")
    fails_with(check_init_std, uniform_limit, hint="Return sqrt(Var[w]) itself")
    fails_with(check_init_std, only_glorot, hint='"glorot", "he" and "lecun"')
    fails_with(check_init_std, 0.05, hint="def init_std")


def test_he_uniform_limit(capsys):
    check_he_uniform_limit(lambda fan_in: math.sqrt(6 / fan_in))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_he_uniform_limit, lambda fan_in: math.sqrt(2 / fan_in), hint="solve for r")
    fails_with(check_he_uniform_limit, lambda fan_in: math.sqrt(3 / fan_in), hint="twice LeCun's")
    fails_with(check_he_uniform_limit, lambda fan_in: 3 * math.sqrt(2 / fan_in), hint="square root of the whole right-hand side")
    fails_with(check_he_uniform_limit, lambda fan_in: 6 / fan_in, hint="Take the square root")
    fails_with(check_he_uniform_limit, lambda fan_in: 2 * math.sqrt(6 / fan_in), hint="solve for r")
    fails_with(check_he_uniform_limit, lambda fan_in: None, hint="return")


def test_glorot_relu_std_ratio(capsys):
    check_glorot_relu_std_ratio((1 / math.sqrt(2)) ** 49)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_glorot_relu_std_ratio, 0.5**49, hint="its square root")
    fails_with(check_glorot_relu_std_ratio, 2 ** (-50 / 2), hint="Count only the layers after layer 1")
    fails_with(check_glorot_relu_std_ratio, 2 ** (49 / 2), hint="1/2 from ReLU")  # grows instead of shrinks
    fails_with(check_glorot_relu_std_ratio, 1.0, hint="100 * (1/100) * (1/2)")
    fails_with(check_glorot_relu_std_ratio, 0.01, hint="Each of layers 2..50")
