"""Exercise checks as autograder feedback: a failure never gives the answer away, and a bad answer of any type fails cleanly.

The rules these tests hold every check to:

- a failure message shows no reference value (in the format the pass message prints it, or the
  usual ones), no answer formula and no solution code;
- a failure says what is wrong and gives a hint, both non-empty;
- a check prints nothing to stderr, emits no Python warning, and meets None, a string, an array
  where a number is expected, a function, NaN or a function that raises with a NotQuiteRight.
"""

import importlib
import inspect
import math
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from assertions import fails_with
from helpers import checks
from helpers.checks import NotQuiteRight
from helpers.checks.core import how_far


def hides(error, *shown):
    """Assert that none of the strings in ``shown`` (a reference value, formula or code) is in the failure."""
    text = str(error)
    for piece in shown:
        assert piece not in text, f"the failure gives away {piece!r}:\n{text}"
    return error


def formats(value, *specs):
    """``value`` written in each format of ``specs``, e.g. formats(0.0875, ".4f", ".6g")."""
    return [format(value, spec) for spec in specs]


# --- How far: the only measure of the miss that a failure may give -------------------------------------------


@pytest.mark.parametrize("value, expected, words", [
    (1.1, 1.0, "too large (by less than 50%)"),
    (0.5, 1.0, "about 2x too small"),
    (300.0, 1.0, "too large by about 2 orders of magnitude"),
    (-1.0, 1.0, "wrong sign"),
    (-2.0, -1.0, "about 2x too large in magnitude"),
    (float("nan"), 1.0, "not a finite number"),
    (0.0, 1.0, "should not be 0"),
    (5e-324, 10.0, "too small by about 324 orders of magnitude"),  # no overflow on the way
])
def test_how_far_gives_direction_and_size_only(value, expected, words):
    assert words in how_far(value, expected)


# --- No reference value, formula or code in a failure ------------------------------------------------------------


@pytest.fixture
def tiny_data():
    rng = np.random.default_rng(0)
    y_train = np.repeat(np.arange(3), 20)
    x_train = rng.uniform(0, 1, size=(60, 4, 4)) * (1 + y_train[:, None, None]) / 3
    x_valid = rng.uniform(0, 1, size=(30, 4, 4)) * 0.6
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_valid=x_valid, class_names=["Dim", "Mid", "Bright"])


def test_setup_failures_hide_the_answer(tiny_data):
    mean, std = tiny_data.x_train.mean(), tiny_data.x_train.std()
    expected = float(((tiny_data.x_valid - mean) / std).mean())
    error = fails_with(checks.check_valid_mean, expected + 0.05, tiny_data, hint="training std")
    hides(error, *formats(expected, "+.4f", ".4f", ".5f"))
    fails_with(checks.check_valid_mean, float((tiny_data.x_valid - mean).mean()), tiny_data, hint="divide by the training std")
    fails_with(checks.check_valid_mean, float(tiny_data.x_valid.mean() / std), tiny_data, hint="Subtract the training mean")
    hides(fails_with(checks.check_brightest, "Mid", tiny_data, hint="Average the pixels"), "y_train == c")


def test_backprop_failures_hide_the_answer():
    x, y, w1, b1, w2, b2 = 1.5, 1.0, 0.8, -0.3, 1.2, 0.1
    a1 = 1 / (1 + np.exp(-(w1 * x + b1)))
    y_hat = 1 / (1 + np.exp(-(w2 * a1 + b2)))
    right = (y_hat - y) * y_hat * (1 - y_hat) * w2 * a1 * (1 - a1)
    error = fails_with(checks.check_db1, right * 1.1, x, y, w1, b1, w2, b2, hint="dz1/db1")
    hides(error, *formats(right, ".6g", ".4g", ".3g"), "y_hat (1 - y_hat)", "a1 (1 - a1)")
    assert "too large in magnitude" in str(error)
    error = fails_with(checks.check_tanh_backward, lambda upstream, a: 2 * upstream * (1 - a**2), hint="local derivative")
    assert "differs from autodiff by up to" in str(error)
    fails_with(checks.check_tanh_backward, lambda upstream, a: upstream * (a**2 - 1), hint="order of the subtraction")
    fails_with(checks.check_tanh_backward, lambda upstream, a: upstream, hint="tanh'(z)")
    fails_with(checks.check_tanh_backward, lambda upstream, a: upstream / 0.0, hint="local derivative")  # inf, NaN: no warning


def test_sigmoid_failures_hide_the_answer():
    error = fails_with(checks.check_saturation_z, 4.0, hint="Solve 1 / (1 + e^(-z))")
    hides(error, *formats(np.log(99), ".3f", ".4f", ".6g"), "1/99", "ln 99", "log(99)")
    error = fails_with(checks.check_tanh_prime_at_0, 2.5, hint="multiply by 4")
    hides(error, "= 0.25", "should be")
    fails_with(checks.check_tanh_prime_at_0, 2.0, hint="sigma'(0) = sigma(0) (1 - sigma(0))")
    fails_with(checks.check_tanh_prime_at_0, 0.0, hint="4 sigma'(0)")


def test_relu_failures_hide_the_answer():
    error = fails_with(checks.check_leaky_relu_prime, lambda z, slope=0.2: np.where(z >= 0, 1.0, 0.3), hint="each side")
    assert "wrong for z < 0" in str(error)
    hides(error, "np.where(z >= 0, 1.0, slope)", "0.2 for z < 0")
    hides(fails_with(checks.check_leaky_relu_prime, lambda z, slope=0.2: np.where(z > 0, z, slope * z), hint="a constant"),
          "1 or `slope`")
    fails_with(checks.check_leaky_relu_prime, lambda z, slope=0.2: np.where(z >= 0, slope, 1.0), hint="shallow line")
    fails_with(checks.check_leaky_relu_prime, lambda z, slope=0.2: np.where(z >= 0, 1.0, 0.2 + 0 * slope) * (slope / 0.2) ** 2,
               hint="use the `slope` parameter")
    fails_with(checks.check_leaky_relu_prime, lambda z, slope=0.2: 1.0 if z > 0 else slope, hint="work elementwise")
    fails_with(checks.check_leaky_relu_prime, lambda z: np.where(z >= 0, 1.0, 0.2), hint="signature")
    error = fails_with(checks.check_predicted_growth, 2.0**14.5, hint="Count the factors")
    hides(error, *formats(1.5**14.5, ",.0f", ".6g", ".4g"), "(L-1)/2", "to that power over 2")


def test_initialization_failures_hide_the_answer():
    def doubled(kind, fan_in, fan_out):
        return 2 * math.sqrt({"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in, "lecun": 1 / fan_in}[kind])

    error = fails_with(checks.check_init_std, doubled, hint="Glorot's variance in section 1")
    hides(error, *formats(math.sqrt(2 / 1084), ".6g", ".4g"), "should be", "2 / (fan_in + fan_out)", "2 / fan_in", "1 / fan_in")

    def he_like_lecun(kind, fan_in, fan_out):
        return math.sqrt(1 / fan_in if kind in ("he", "lecun") else 2 / (fan_in + fan_out))

    hides(fails_with(checks.check_init_std, he_like_lecun, hint="twice LeCun's"), "2 / fan_in")

    def lecun_like_he(kind, fan_in, fan_out):
        return math.sqrt(2 / fan_in if kind in ("he", "lecun") else 2 / (fan_in + fan_out))

    hides(fails_with(checks.check_init_std, lecun_like_he, hint="only He's doubles it"), "1 / fan_in")
    fails_with(checks.check_init_std, lambda kind, fan_in: 0.05, hint="signature init_std(kind, fan_in, fan_out)")

    for wrong, hint in [(lambda fan_in: 2 * math.sqrt(6 / fan_in), "solve for r"),
                        (lambda fan_in: math.sqrt(3 / fan_in), "twice LeCun's"),
                        (lambda fan_in: 3 * math.sqrt(2 / fan_in), "whole right-hand side")]:
        error = fails_with(checks.check_he_uniform_limit, wrong, hint=hint)
        hides(error, *formats(math.sqrt(6 / 784), ".6g", ".4f"), "sqrt(6 / fan_in)", "sqrt(3 * 2 / fan_in)", "should be")

    expected = 2 ** (-49 / 2)
    for wrong in (0.01, 2 ** -49, 2 ** -25, 2 ** 24.5):
        error = fails_with(checks.check_glorot_relu_std_ratio, wrong, hint="")
        hides(error, *formats(expected, ".4g", ".3g", ".1e"), "** 49", "1/sqrt(2) per layer")


def test_batchnorm_failures_hide_the_answer():
    formula = ["gamma * (x - mean) / sqrt(variance + epsilon) + beta", "x.var(axis=0)"]
    error = fails_with(checks.check_batch_norm_forward, lambda x, gamma, beta, epsilon=1e-3: 2 * x, hint="section 1")
    assert "mean beta" in str(error)
    hides(error, *formula)

    def right_mean_wrong_spread(x, gamma, beta, epsilon=1e-3):
        return 2 * gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon) + beta

    assert "spread" in str(hides(fails_with(checks.check_batch_norm_forward, right_mean_wrong_spread, hint="section 1"), *formula))

    def unbiased(x, gamma, beta, epsilon=1e-3):
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + epsilon) + beta

    hides(fails_with(checks.check_batch_norm_forward, unbiased, hint="divides by n"), *formula)

    def eps_doubled(x, gamma, beta, epsilon=1e-3):
        epsilon = 1e-3 if epsilon == 1e-3 else 2 * epsilon
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon) + beta

    fails_with(checks.check_batch_norm_forward, eps_doubled, hint="wherever the default 1e-3 goes")
    fails_with(checks.check_batch_norm_forward, lambda x, gamma, beta: eps_doubled(x, gamma, beta), hint="signature")

    def reference(batch_value, steps, momentum=0.99, start=0.0):
        return momentum**steps * start + (1 - momentum**steps) * batch_value

    expected = reference(2.0, 1, 0.99, 1.0)
    for wrong in (lambda batch_value, steps, momentum=0.99, start=0.0: 1.5 * reference(batch_value, steps, momentum, start),
                  lambda batch_value, steps, momentum=0.99, start=0.0: momentum**steps * batch_value):
        error = fails_with(checks.check_moving_average_after, wrong, hint="")
        hides(error, *formats(expected, ".6g"), "should be", "momentum**steps * start + (1 - momentum**steps)")
    fails_with(checks.check_moving_average_after, lambda batch_value, steps: batch_value, hint="signature")
    fails_with(checks.check_moving_average_after, lambda batch_value, steps, momentum=0.99, start=0.0: [batch_value] * 2,
               hint="one number")


def test_clipping_failures_hide_the_answer():
    solution = ["threshold / max(", "np.sum(g**2)"]

    def halved(gradients, threshold):
        return [g / 2 for g in gradients]

    error = fails_with(checks.check_clip_by_global_norm, halved, hint="the one factor")
    hides(error, *solution)

    def own_direction(gradients, threshold):
        norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
        scaled = [g * threshold / max(norm, threshold) for g in gradients]
        return [scaled[0] * 0, scaled[1] / np.linalg.norm(scaled[1]), scaled[2] * 0]

    hides(fails_with(checks.check_clip_by_global_norm, own_direction, hint="one common factor"), *solution)

    def summed_norms(gradients, threshold):
        norm = sum(np.linalg.norm(g) for g in gradients)
        return [g * threshold / max(norm, threshold) for g in gradients]

    hides(fails_with(checks.check_clip_by_global_norm, summed_norms, hint="sum of *all* their squares"), *solution)
    hides(fails_with(checks.check_clip_by_global_norm, lambda gradients, threshold: [np.clip(g, -1, 1) for g in gradients],
                     hint="same factor"), *solution)
    fails_with(checks.check_clip_by_global_norm, lambda gradients, threshold: [g / 0.0 for g in gradients], hint="division by zero")

    expected = 0.1 * np.sqrt(10)
    for wrong in (0.5, 1.0, 0.1, np.sqrt(10)):
        error = fails_with(checks.check_longest_clipnorm_step, wrong, hint="")
        hides(error, *formats(expected, ".3f", ".6g", ".4g"), "sqrt(10 * c**2)", "should be")


def test_recurrent_failures_hide_the_answer():
    for wrong in (0.5, 0.9 * 49, 0.9**50):
        hides(fails_with(checks.check_predicted_ratio, wrong, hint=""), *formats(0.9**49, ".4g", ".3g"), "0.9 ** (50 - 1)")
    hides(fails_with(checks.check_level_relu_gain, 1.2, hint="solve for the gain"), *formats(np.sqrt(2), ".4g", ".3f"), "should be")
    for wrong in (1.2, 1.0, 2.0, 1 / np.sqrt(2)):  # no equation whose solution is the answer
        hides(fails_with(checks.check_level_relu_gain, wrong, hint=""), *formats(np.sqrt(2), ".4g", ".3f"),
              "g / sqrt(2)", "= 1 for g", "Set it to 1", "sqrt(2) per step")
    for wrong in (2.0, 1.0, 0.25):
        error = fails_with(checks.check_sigmoid_vanishing_gain, wrong, hint="")
        hides(error, "should be 4", "1 / 0.25", "= 0.25")


def test_diagnosing_failures_hide_the_answer():
    table = inspect.unwrap(checks.check_vanishing_ratio).__globals__["_gradient_table"]()
    expected = float((table.iloc[:, 0] / table.iloc[:, -1]).median())
    error = fails_with(checks.check_vanishing_ratio, lambda grads: 3 * float((grads.iloc[:, 0] / grads.iloc[:, -1]).median()),
                       hint="median over the steps")
    hides(error, *formats(expected, ".4g", ".1e", ".3g"), "the answer is")
    assert "about 3x too large" in str(error)

    shrink = 1 - 2 * 0.01 * 0.01
    steps = math.log(0.5) / math.log(shrink)
    for wrong_shrink in (0.99, 2 * 0.01 * 0.01, 1 - 0.01 * 0.01):
        error = fails_with(checks.check_weight_decay, wrong_shrink, steps, hint="")
        hides(error, *formats(shrink, "g", ".4f", ".6g"), "1 - 2*eta*lambda", "(1 - 2 * eta * lambda)")
    for wrong_steps in (1000.0, -steps, np.log10(0.5) / np.log(shrink)):
        error = fails_with(checks.check_weight_decay, shrink, wrong_steps, hint="")
        hides(error, *formats(steps, ",.1f", ",.0f"), "log(0.5) / log(shrink_per_step)", "divide one by the other")

    # Mystery E is saturated: a wrong option says why it does not fit, never what the right symptom is
    # (with every wrong option explained, the answer would follow by elimination).
    for wrong in ("vanishing", "dying", "exploding", "healthy"):
        error = fails_with(checks.check_mystery_e, wrong, hint="diagnose(record_e)")
        hides(error, "saturat", "Saturat", "0 or 1", "asymptote", "flat sigmoid", "where the sigmoid outputs sit",
              "where the outputs sit", "frac_saturated", "histogram's two ends")


def test_capstone_failures_hide_the_answer():
    def reference(seconds_per_step, batch_size, n_train=55_000, budget_seconds=600):
        return math.floor(budget_seconds / (math.ceil(n_train / batch_size) * seconds_per_step))

    # The first case where a mistake shows: 39 epochs fit, 40 if the partial batch is forgotten.
    for wrong, hint in [(lambda s, b, n_train=55_000, budget_seconds=600: math.floor(budget_seconds / (n_train // b * s)),
                         "round the number of steps per epoch up"),
                        (lambda s, b, n_train=55_000, budget_seconds=600: reference(s, b, n_train, budget_seconds) + 1, "round down")]:
        error = fails_with(checks.check_epochs_in_budget, wrong, hint=hint)
        hides(error, "should be", "math.ceil(n_train / batch_size)", "it should")
        assert "too many" in str(error)
    error = fails_with(checks.check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600: 3, hint="whole epochs")
    hides(error, "should be 16")
    assert "too few" in str(error)
    fails_with(checks.check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600: 16.0, hint="int(...)")
    fails_with(checks.check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600: 1 / 0, hint="")

    accuracy = pd.Series({"final recipe": 0.90, "without BN": 0.85, "without Adam": 0.80, "without augmentation": 0.89})
    drops = (accuracy["final recipe"] - accuracy.drop("final recipe")).sort_values(ascending=False)
    off = drops.copy()
    off["without BN"] += 0.01
    error = fails_with(checks.check_ablation_drops, off, accuracy, "final recipe", hint="how much accuracy the reference run has")
    assert "'without BN'" in str(error)
    ablation_formulas = ["accuracy[reference] - accuracy[row]", "accuracy[reference] - accuracy[without the fix]",
                         "accuracy[reference] -", "- accuracy["]
    hides(error, *ablation_formulas)
    hides(fails_with(checks.check_ablation_drops, -drops, accuracy, "final recipe", hint="signs are flipped"), *ablation_formulas)
    duplicated = pd.concat([drops, drops.iloc[:1]])
    fails_with(checks.check_ablation_drops, duplicated, accuracy, "final recipe", hint="One row per removed fix")
    fails_with(checks.check_ablation_drops, drops.astype(str), accuracy, "final recipe", hint="one accuracy difference")


def test_selu_mlp_failures_name_the_error():
    import keras

    def broken(depth=20, width=256):
        return keras.Sequential([keras.layers.Dense(width, activation="no-such-activation")])

    fails_with(checks.check_selu_mlp, broken, hint="in a cell of its own")


def test_selu_mlp_failures_hide_the_code():
    import keras

    def builder(activation="selu", init="lecun_normal", output="softmax", units=10):
        def build_selu_mlp(depth=20, width=256):
            layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
            layers += [keras.layers.Dense(width, activation=activation, kernel_initializer=init) for _ in range(depth)]
            return keras.Sequential(layers + [keras.layers.Dense(units, activation=output)])
        return build_selu_mlp

    code = ["activation='selu'", 'activation="selu"', "kernel_initializer=", "'lecun_normal'", "lecun_normal",
            "Dense(10", "activation='softmax'", 'activation="softmax"']
    for wrong, hint in [(builder(activation="relu"), "not SELU"), (builder(activation="tanh"), "not SELU"),
                        (builder(init="he_normal"), "not LeCun-normal"), (builder(init="glorot_uniform"), "not LeCun-normal"),
                        (builder(init="random_normal"), "not LeCun-normal"), (builder(output="selu"), "probabilities"),
                        (builder(units=5), "10")]:
        hides(fails_with(checks.check_selu_mlp, wrong, hint=hint), *code)


# --- Bad types, NaN and errors: always a NotQuiteRight, never a warning or stderr --------------------------------


def _data():
    rng = np.random.default_rng(0)
    y_train = np.repeat(np.arange(3), 20)
    return SimpleNamespace(x_train=rng.uniform(0, 1, size=(60, 4, 4)) * (1 + y_train[:, None, None]) / 3, y_train=y_train,
                           x_valid=rng.uniform(0, 1, size=(30, 4, 4)) * 0.6, class_names=["Dim", "Mid", "Bright"])


_ACCURACY = pd.Series({"final recipe": 0.90, "without BN": 0.85, "without Adam": 0.80})

VALUE_CHECKS = {
    "db1": lambda v: checks.check_db1(v, 1.5, 1.0, 0.8, -0.3, 1.2, 0.1),
    "saturation_z": checks.check_saturation_z,
    "tanh_identity": checks.check_tanh_identity,
    "tanh_prime_at_0": checks.check_tanh_prime_at_0,
    "predicted_growth": checks.check_predicted_growth,
    "glorot_relu_std_ratio": checks.check_glorot_relu_std_ratio,
    "longest_clipnorm_step": checks.check_longest_clipnorm_step,
    "predicted_ratio": checks.check_predicted_ratio,
    "level_relu_gain": checks.check_level_relu_gain,
    "sigmoid_vanishing_gain": checks.check_sigmoid_vanishing_gain,
    "shrink_per_step": lambda v: checks.check_weight_decay(v, 3465.0),
    "steps_to_halve": lambda v: checks.check_weight_decay(1 - 2e-4, v),
    "brightest": lambda v: checks.check_brightest(v, _data()),
    "valid_mean": lambda v: checks.check_valid_mean(v, _data()),
    "mystery_e": checks.check_mystery_e,
    "drops": lambda v: checks.check_ablation_drops(v, _ACCURACY, "final recipe"),
}

FUNCTION_CHECKS = ["check_tanh_backward", "check_leaky_relu_prime", "check_init_std", "check_he_uniform_limit",
                   "check_batch_norm_forward", "check_moving_average_after", "check_clip_by_global_norm",
                   "check_vanishing_ratio", "check_epochs_in_budget", "check_selu_mlp",
                   "check_rms_norm", "check_scaled_variance_growth", "check_drop_block"]


def _a_function():
    return 1.0


BAD_VALUES = {
    "None": None, "a string": "abc", "NaN": float("nan"), "inf": float("inf"), "-inf": -float("inf"), "huge": 1e300,
    "a list": [1.0, 2.0], "a 1-element array": np.array([1.0]), "a matrix": np.zeros((2, 2)), "a function": _a_function,
    "a ufunc": np.log, "complex": 1j, "a complex array": np.array([1j]), "a dict": {}, "a ragged list": [[1], [1, 2]],
    "an object": object(),
}


def _raises(*args, **kwargs):
    raise RuntimeError("boom")


BAD_FUNCTIONS = {
    **{f"returns {name}": (lambda v: lambda *args, **kwargs: v)(value) for name, value in BAD_VALUES.items()},
    "raises": _raises,
    "takes one argument": lambda x: x,
    "takes no argument": lambda: 1.0,
    "returns NaN arrays": lambda *args, **kwargs: np.full((16, 4), np.nan),
    "returns a list of one array": lambda *args, **kwargs: [np.ones(2)],
    "applies np.log": lambda x, *args, **kwargs: np.log(x),
}


def _fails_quietly(check, answer, capfd):
    """``check(answer)`` raises NotQuiteRight with a what and a hint, and no warning or stderr output on the way."""
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(NotQuiteRight) as error:
            check(answer)
    assert not caught, [str(w.message) for w in caught]
    assert capfd.readouterr().err == ""
    assert error.value.what.strip() and error.value.hint.strip(), str(error.value)
    return error.value


@pytest.fixture(scope="module", autouse=True)
def _warm_tensorflow():
    """TensorFlow and Keras log on their first use (no GPU found, ...): get that out of the way before capturing."""
    import keras
    import tensorflow as tf

    tf.constant(1.0) + 1
    keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])(np.zeros((1, 2), dtype="float32"))


@pytest.mark.parametrize("name", VALUE_CHECKS)
def test_value_checks_fail_cleanly_on_bad_values(name, capfd):
    for label, value in BAD_VALUES.items():
        if name == "tanh_identity" and label == "a 1-element array":
            continue  # not a bad answer for a value near 0: fails below on its own
        _fails_quietly(VALUE_CHECKS[name], value, capfd)


@pytest.mark.parametrize("name", FUNCTION_CHECKS)
def test_function_checks_fail_cleanly_on_bad_functions(name, capfd):
    check = getattr(checks, name)
    for label, value in {**BAD_VALUES, **BAD_FUNCTIONS}.items():
        _fails_quietly(check, value, capfd)


def test_number_checks_reject_arrays_with_a_clear_message(capfd):
    error = _fails_quietly(checks.check_saturation_z, np.array([np.log(99)]), capfd)
    assert "should be one number; it has shape (1,)" in str(error)
    error = _fails_quietly(checks.check_tanh_identity, np.abs(np.linspace(-1, 1, 5)) * 1e-17, capfd)
    assert "maximum" in error.hint
    error = _fails_quietly(VALUE_CHECKS["db1"], lambda: 0.1, capfd)
    assert "is a function" in str(error)
    error = _fails_quietly(checks.check_saturation_z, None, capfd)
    assert "None" in error.what and "return" in error.hint


# --- Warnings from the learner's code: told on stdout, never on stderr (nbgrader scores such a cell 0) ---------


def test_every_check_captures_warnings():
    names = [name for name in checks.__all__ if name.startswith("check_")]
    assert names
    for name in names:
        check = getattr(checks, name)
        assert getattr(check, "captures_warnings", False), name
        module = importlib.import_module(check.__module__)
        assert getattr(module, name) is check, name  # the same wrapped check from its own module


def test_selu_mlp_with_input_shape_passes_without_stderr(capfd):
    import keras

    def build_selu_mlp(depth=20, width=256):
        layers = [keras.layers.Flatten(input_shape=(28, 28))]  # Keras warns: "Do not pass an `input_shape`..."
        layers += [keras.layers.Dense(width, activation="selu", kernel_initializer="lecun_normal") for _ in range(depth)]
        return keras.Sequential(layers + [keras.layers.Dense(10, activation="softmax")])

    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checks.check_selu_mlp(build_selu_mlp)
    assert not caught, [str(w.message) for w in caught]
    out, err = capfd.readouterr()
    assert err == ""
    assert "Correct." in out
    assert "Note: your code raised a warning (UserWarning): Do not pass an `input_shape`" in out
    assert out.count("Note:") == 1, out  # the same warning from each layer is told once


def _warns_then(value):
    def answer(*args, **kwargs):
        warnings.warn("something the learner's code warns about\nsecond line", UserWarning)
        warnings.warn("something the learner's code warns about\nsecond line", UserWarning)
        warnings.warn("a deprecated call", DeprecationWarning)
        return value(*args, **kwargs)
    return answer


def _epochs(seconds_per_step, batch_size, n_train=55_000, budget_seconds=600):
    return math.floor(budget_seconds / (math.ceil(n_train / batch_size) * seconds_per_step))


@pytest.mark.parametrize("right", [True, False])
def test_warnings_in_the_learners_code_go_to_stdout(right, capfd):
    answer = _warns_then(_epochs if right else (lambda *args, **kwargs: 3))
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if right:
            checks.check_epochs_in_budget(answer)
        else:
            with pytest.raises(NotQuiteRight):
                checks.check_epochs_in_budget(answer)
    assert not caught, [str(w.message) for w in caught]
    out, err = capfd.readouterr()
    assert err == ""
    assert ("Correct." in out) == right
    assert out.count("Note: your code raised a warning (UserWarning): something the learner's code warns about\n") == 1, out
    assert "second line" not in out
    assert "Note: your code raised a warning (DeprecationWarning): a deprecated call" in out


def test_warnings_under_default_filters_reach_no_stderr(capfd):
    """Without any test harness around it, as in a notebook: Python's own filters would print a UserWarning to stderr."""
    capfd.readouterr()
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        checks.check_epochs_in_budget(_warns_then(_epochs))
    out, err = capfd.readouterr()
    assert err == "" and "Correct." in out and "Note:" in out
