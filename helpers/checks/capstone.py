"""Checks for notebook 12's exercises (the capstone: a deep plain MLP that trains)."""

import math
import numbers

import numpy as np

from .core import as_array, as_number, call, fail, passed, require, require_callable

PLAIN_LAYERS = {"InputLayer", "Flatten", "Dense", "Activation", "AlphaDropout"}


def _initializer_kind(initializer):
    """'lecun', 'he', 'glorot' or a description, from a Keras initializer object."""
    import keras

    if isinstance(initializer, keras.initializers.VarianceScaling):
        scale, mode = float(initializer.scale), initializer.mode
        if mode == "fan_in" and math.isclose(scale, 1.0):
            return "lecun"
        if mode == "fan_in" and math.isclose(scale, 2.0):
            return "he"
        if mode == "fan_avg" and math.isclose(scale, 1.0):
            return "glorot"
        return f"VarianceScaling(scale={scale:g}, mode={mode!r})"
    return type(initializer).__name__


def _activation(layer):
    fn = getattr(layer, "activation", None)
    return getattr(fn, "__name__", type(fn).__name__) if fn is not None else None


def _hidden_blocks(model):
    """[(dense layer, activation name)] for the hidden Dense layers, input to output."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    blocks = []
    for i, layer in enumerate(layers):
        if type(layer).__name__ != "Dense":
            continue
        activation = _activation(layer)
        if activation == "linear":  # the activation may be a layer of its own, after the Dense
            following = next((later for later in layers[i + 1:]
                              if type(later).__name__ in ("Activation", "Dense")), None)
            if following is not None and type(following).__name__ == "Activation":
                activation = _activation(following)
        blocks.append((layer, activation))
    return blocks


def check_selu_mlp(build_selu_mlp, depth=20, width=32):
    """Exercise 1: a self-normalizing 20-layer MLP: SELU, LeCun-normal weights, nothing else."""
    import keras

    require(not isinstance(build_selu_mlp, keras.Model), "build_selu_mlp is a model, not the function that builds one.",
            "Pass the function itself, without calling it: check_selu_mlp(build_selu_mlp).")
    require_callable(build_selu_mlp, "build_selu_mlp")
    model = call(build_selu_mlp, f"build_selu_mlp(depth={depth}, width={width})",
                 "The check calls it with two parameters, depth and width: define it as "
                 "`def build_selu_mlp(depth=20, width=256):` and use them.",
                 depth=depth, width=width)
    require(isinstance(model, keras.Model), f"build_selu_mlp returned a {type(model).__name__}, not a Keras model.",
            "Return the model, e.g. `return keras.Sequential(layers)`.")
    kinds = {type(layer).__name__ for layer in model.layers}
    if "BatchNormalization" in kinds:
        fail("the network has BatchNormalization layers.",
             "SELU with LeCun weights keeps activations normalized by itself (Klambauer et al., 2017): leave BN out.")
    if "Dropout" in kinds:
        fail("plain Dropout shifts the mean and variance SELU works to keep at 0 and 1.",
             "Use keras.layers.AlphaDropout, which is built to preserve them, or no dropout at all.")
    others = sorted(kinds - PLAIN_LAYERS)
    require(not others, f"the network contains {', '.join(others)}: not a plain MLP.",
            "Only Flatten, Dense layers (and optionally Activation / AlphaDropout layers).")
    try:
        out = model(np.zeros((2, 28, 28), dtype="float32"))
    except Exception as exc:  # noqa: BLE001 - any failure here is the learner's model not accepting images
        fail(f"the model fails on a batch of 28x28 images ({type(exc).__name__}: {exc}).",
             "The model takes a batch of 28x28 images: give it an input of that shape, flattened before the first Dense layer.")
    require(tuple(out.shape) == (2, 10), f"the model's output has shape {tuple(out.shape)} for 2 images; expected (2, 10).",
            "The last layer gives one probability per class, 10 in all: see how the models of notebook 03's SELU section end.")
    blocks = _hidden_blocks(model)
    require(blocks, "the model has no Dense layers.", "Build it from keras.layers.Dense layers: `depth` hidden ones, then the output layer.")
    output_layer, output_activation = blocks[-1]
    require(output_activation == "softmax", f"the last Dense layer's activation is {output_activation!r}: "
            "its 10 outputs are not class probabilities that sum to 1.",
            "The output layer turns 10 scores into probabilities: see how the models of notebook 03's SELU section end.")
    hidden = blocks[:-1]
    if len(hidden) != depth:
        fail(f"build_selu_mlp(depth={depth}, ...) has {len(hidden)} hidden Dense layers (not counting the output).",
             "One hidden Dense layer per value of range(depth), plus the 10-unit output layer.")
    widths = sorted({layer.units for layer, _ in hidden})
    require(widths == [width], f"build_selu_mlp(width={width}) gives hidden layers of {widths} units.",
            "Every hidden Dense layer has `width` units: use the parameter, not a fixed number.")
    activations = sorted({str(a) for _, a in hidden})
    require(activations == ["selu"], f"the hidden layers use {', '.join(activations)}, not SELU.",
            "Self-normalization comes from SELU itself, in every hidden layer: notebook 03's SELU section (section 6) "
            "shows how to give a Dense layer that activation.")
    inits = sorted({_initializer_kind(layer.kernel_initializer) for layer, _ in hidden})
    if inits == ["he"]:
        fail("the hidden layers use He's initialization (variance 2/fan_in): the weights are not LeCun-normal.",
             "SELU's self-normalization needs weights of variance 1/fan_in, half of He's: notebook 03's SELU section "
             "(section 6) names the initializer that gives it.")
    if inits == ["glorot"]:
        fail("the hidden layers use Glorot's initialization, Keras's default: the weights are not LeCun-normal.",
             "SELU's self-normalization needs weights of variance 1/fan_in in every hidden layer, which the default "
             "does not give: notebook 03's SELU section (section 6) shows how to set a Dense layer's initializer.")
    require(inits == ["lecun"], f"the hidden layers' initializers are {', '.join(inits)}: not LeCun-normal in every layer.",
            "SELU's self-normalization needs weights of variance 1/fan_in in every hidden layer: "
            "see notebook 03's SELU section (section 6).")
    passed(f"{depth} SELU layers with LeCun-normal weights: a deep plain MLP that normalizes itself, without BN.")


def check_ablation_drops(drops, accuracy, reference):
    """Exercise 2: accuracy lost when each fix is removed, largest loss first."""
    import pandas as pd

    require(isinstance(accuracy, pd.Series) and reference in accuracy.index,
            "the ablation accuracies given to the check are not a Series holding the reference row.",
            "Call the check as written in the cell below the exercise.")
    if isinstance(drops, pd.DataFrame) and drops.shape[1] == 1:
        drops = drops.iloc[:, 0]
    require(isinstance(drops, pd.Series), f"drops is a {type(drops).__name__}, not a pandas Series.",
            "Subtract a Series of accuracies from the reference's accuracy, so that the row names are kept.")
    expected = (accuracy[reference] - accuracy.drop(reference)).sort_values(ascending=False)
    if reference in drops.index:
        fail(f"drops has a row for {reference!r} itself (a drop of 0).",
             "Leave the reference's own row out: only the removed fixes get a drop.")
    require(drops.index.is_unique, "drops has a row name more than once.",
            "One row per removed fix: subtract Series, don't concatenate them.")
    require(set(drops.index) == set(expected.index),
            f"drops has the rows {sorted(map(str, drops.index))}; expected one per removed fix: {sorted(expected.index)}.",
            "Keep the ablation's row names: subtract Series, don't build a new list.")
    values = as_array(drops.to_numpy(), "the values of drops", "Hold one accuracy difference (a number) per row.")
    aligned = as_array(drops.reindex(expected.index).to_numpy(), "the values of drops", "Hold one accuracy difference (a number) per row.")
    if np.allclose(aligned, -expected.to_numpy()) and not np.allclose(expected.to_numpy(), 0):
        fail("the signs are flipped: a fix whose removal costs accuracy should have a positive drop.",
             "A drop is how much accuracy the reference run has over the run without that fix: "
             "check which of the two you subtract from which.")
    wrong = [str(name) for name, ok in zip(expected.index, np.isclose(aligned, expected.to_numpy())) if not ok]
    require(not wrong, f"the drops for {', '.join(repr(name) for name in wrong[:3])}{' and others' if len(wrong) > 3 else ''} "
            "do not match the accuracies the check was given.",
            "A drop is how much accuracy the reference run has over the run without that fix, positive when removing "
            "the fix hurts: work it out for every removed fix from the same accuracies.")
    if not np.all(np.diff(values) <= 1e-12):
        fail("the drops are right but not sorted, largest first.", "Sort them, largest first: Series.sort_values has an `ascending` argument.")
    passed(f"{expected.index[0]!r} costs the most: {expected.iloc[0]:+.3f} accuracy.")


def _reference_epochs(seconds_per_step, batch_size, n_train, budget_seconds):
    steps_per_epoch = math.ceil(n_train / batch_size)
    return math.floor(budget_seconds / (steps_per_epoch * seconds_per_step))


BUDGET_CASES = [  # seconds_per_step, batch_size, n_train, budget_seconds
    (0.03, 100, 10_000, 50),  # whole batches: 16.7 epochs, tells rounding down from rounding
    (0.07, 256, 55_000, 600),  # a partial last batch: 39.9 epochs, 40.05 if it is forgotten
    (0.04, 128, 55_000, 600),
    (0.05, 256, 6_000, 60),
    (0.2, 1000, 10_000, 100),
]


def check_epochs_in_budget(epochs_in_budget):
    """Exercise 3: whole epochs that fit in a time budget, from a measured step time."""
    require_callable(epochs_in_budget, "epochs_in_budget")
    for seconds_per_step, batch_size, n_train, budget in BUDGET_CASES:
        expected = _reference_epochs(seconds_per_step, batch_size, n_train, budget)
        case = f"epochs_in_budget({seconds_per_step}, {batch_size}, n_train={n_train:_}, budget_seconds={budget})"
        got = call(epochs_in_budget, case,
                   "Use the signature epochs_in_budget(seconds_per_step, batch_size, n_train=55_000, budget_seconds=600).",
                   seconds_per_step, batch_size, n_train=n_train, budget_seconds=budget)
        if not isinstance(got, numbers.Integral) or isinstance(got, bool):
            value = as_number(got, case, "Return one whole number of epochs.")
            if math.isfinite(value) and value == int(value):
                fail(f"{case} returned {value!r}, a float; a number of epochs is an int.",
                     "math.floor returns an int; or convert with int(...).")
            fail(f"{case} returned {value!r}, not a whole number of epochs.",
                 "A partly run epoch does not count: round down with math.floor (or int() of a positive number).")
        if got == expected:
            continue
        floor_steps = math.floor(budget / (math.floor(n_train / batch_size) * seconds_per_step))
        per_example = math.floor(budget / (n_train * seconds_per_step))
        rounded = round(budget / (math.ceil(n_train / batch_size) * seconds_per_step))
        if got == per_example:
            fail(f"{case} gives {got}: that counts one step per example.",
                 "One step processes a whole batch: count the batches in an epoch, the last partial one included.")
        if got == floor_steps:
            fail(f"{case} gives {got}: too many, because the last, partial batch of each epoch is not counted.",
                 "Keras also runs the last, partial batch: round the number of steps per epoch up, not down.")
        if got == rounded:
            fail(f"{case} gives {got}: too many, because it rounds to the nearest whole epoch.",
                 "An epoch must fit in the budget to count: round down, don't round to the nearest.")
        fail(f"{case} gives {got}: too {'many' if got > expected else 'few'} epochs.",
             "Epoch time = steps per epoch x seconds per step; count only the whole epochs that fit in the budget.")
    passed("plan the budget from a measured step time before starting a long run.")

