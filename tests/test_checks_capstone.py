"""Exercise checks for notebook 12: the reference solutions pass, typical mistakes get their hint."""

import math

import keras
import pandas as pd

from assertions import fails_with
from helpers.checks import check_ablation_drops, check_epochs_in_budget, check_selu_mlp


def selu_builder(activation="selu", init="lecun_normal", extra=None, off_by=0, fixed_width=None, output="softmax"):
    """The reference SELU builder, or one with a typical mistake switched on."""

    def build_selu_mlp(depth=20, width=256):
        layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        for _ in range(depth + off_by):
            layers.append(keras.layers.Dense(fixed_width or width, activation=activation, kernel_initializer=init))
            if extra is not None:
                layers.append(extra())
        layers.append(keras.layers.Dense(10, activation=output))
        return keras.Sequential(layers)

    return build_selu_mlp


def test_selu_mlp(capsys):
    check_selu_mlp(selu_builder())
    assert "Correct" in capsys.readouterr().out
    check_selu_mlp(selu_builder(extra=lambda: keras.layers.AlphaDropout(0.05)))  # AlphaDropout is allowed
    fails_with(check_selu_mlp, selu_builder(init="he_normal"), hint="variance 1/fan_in")
    fails_with(check_selu_mlp, selu_builder(init="glorot_uniform"), hint="not LeCun-normal")
    fails_with(check_selu_mlp, selu_builder(activation="relu"), hint="notebook 03's SELU section")
    fails_with(check_selu_mlp, selu_builder(extra=keras.layers.BatchNormalization), hint="leave BN out")
    fails_with(check_selu_mlp, selu_builder(extra=lambda: keras.layers.Dropout(0.1)), hint="AlphaDropout")
    fails_with(check_selu_mlp, selu_builder(off_by=-1), hint="plus the 10-unit output layer")
    fails_with(check_selu_mlp, selu_builder(fixed_width=256), hint="use the parameter")
    fails_with(check_selu_mlp, selu_builder(output="selu"), hint="probabilities")
    fails_with(check_selu_mlp, lambda: keras.Sequential(), hint="two parameters")
    fails_with(check_selu_mlp, selu_builder()(), hint="without calling it")


def test_selu_mlp_accepts_separate_activation_layers():
    def build_selu_mlp(depth=20, width=256):
        layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
        for _ in range(depth):
            layers += [keras.layers.Dense(width, kernel_initializer="lecun_normal"), keras.layers.Activation("selu")]
        layers.append(keras.layers.Dense(10, activation="softmax"))
        return keras.Sequential(layers)

    check_selu_mlp(build_selu_mlp)


ACCURACY = pd.Series({"final recipe": 0.90, "without BN": 0.85, "without Adam": 0.80, "without augmentation": 0.89})


def test_ablation_drops(capsys):
    right = (ACCURACY["final recipe"] - ACCURACY.drop("final recipe")).sort_values(ascending=False)
    check_ablation_drops(right, ACCURACY, "final recipe")
    assert "'without Adam' costs the most" in capsys.readouterr().out
    fails_with(check_ablation_drops, -right, ACCURACY, "final recipe", hint="which of the two you subtract from which")
    fails_with(check_ablation_drops, right.sort_values(), ACCURACY, "final recipe", hint="`ascending` argument")
    with_reference = (ACCURACY["final recipe"] - ACCURACY).sort_values(ascending=False)
    fails_with(check_ablation_drops, with_reference, ACCURACY, "final recipe", hint="reference's own row out")
    fails_with(check_ablation_drops, list(right), ACCURACY, "final recipe", hint="row names are kept")
    fails_with(check_ablation_drops, right.reset_index(drop=True), ACCURACY, "final recipe", hint="Keep the ablation's row names")
    for wrong in (list(right), right.sort_values(), -right):  # no solution code in the feedback
        error = fails_with(check_ablation_drops, wrong, ACCURACY, "final recipe", hint="")
        assert ".drop(reference)" not in str(error) and "sort_values(ascending=False)" not in str(error), str(error)


def reference_epochs(seconds_per_step, batch_size, n_train=55_000, budget_seconds=600):
    return math.floor(budget_seconds / (math.ceil(n_train / batch_size) * seconds_per_step))


def test_epochs_in_budget(capsys):
    check_epochs_in_budget(reference_epochs)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600:
               math.floor(budget_seconds / (n_train // b * s)), hint="round the number of steps per epoch up")
    fails_with(check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600:
               round(budget_seconds / (math.ceil(n_train / b) * s)), hint="round down")
    fails_with(check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600:
               budget_seconds / (math.ceil(n_train / b) * s), hint="not a whole number")
    fails_with(check_epochs_in_budget, lambda s, b, n_train=55_000, budget_seconds=600:
               math.floor(budget_seconds / (n_train * s)), hint="whole batch")
    fails_with(check_epochs_in_budget, lambda s, b: reference_epochs(s, b), hint="signature")
