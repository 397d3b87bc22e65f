"""Exercise checks for notebook 09 (residual connections): the reference solutions pass, typical mistakes get their hint."""

import keras
import numpy as np

from assertions import fails_with
from helpers.checks import check_drop_block, check_rms_norm, check_scaled_variance_growth


def test_rms_norm(capsys):
    def reference(x, epsilon=1e-6):
        return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + epsilon)

    check_rms_norm(reference)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: x / np.sqrt(np.mean(x**2, axis=0, keepdims=True) + epsilon),
               hint="last axis")
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + epsilon),
               hint="leaves the mean in")
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True)),
               hint="inside the square root")
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: x / (np.sqrt(np.mean(x**2, axis=-1, keepdims=True)) + epsilon),
               hint="inside the square root")
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: x / np.std(x, axis=-1, keepdims=True), hint="no learned scale")
    fails_with(check_rms_norm, lambda x, epsilon=1e-6: np.sqrt(np.mean(x**2, axis=-1)), hint="keepdims=True")


def test_scaled_variance_growth(capsys):
    check_scaled_variance_growth(lambda depth: (1 + 1 / depth) ** depth)
    assert "Correct" in capsys.readouterr().out
    fails_with(check_scaled_variance_growth, lambda depth: np.e, hint="multiply it in")
    fails_with(check_scaled_variance_growth, lambda depth: 2.0, hint="multiply it in")
    fails_with(check_scaled_variance_growth, lambda depth: (1 + 1 / depth) ** (depth - 1), hint="multiply it in")
    fails_with(check_scaled_variance_growth, lambda depth: 1 + 1 / depth, hint="multiply it in")
    fails_with(check_scaled_variance_growth, lambda depth: [2.0, 2.0], hint="single number")


def test_drop_block(capsys):
    def reference(model, name):
        kept = [layer for layer in model.layers if layer.name != name]
        return keras.Sequential([keras.Input(model.inputs[0].shape[1:]), *kept])

    check_drop_block(reference)
    assert "Correct" in capsys.readouterr().out

    def copies(model, name):
        clone = keras.models.clone_model(model)
        return reference(clone, name)

    def pops(model, name):
        model.pop()
        return model

    fails_with(check_drop_block, lambda model, name: model, hint="without the named one")
    fails_with(check_drop_block, copies, hint="Reuse the layer objects")
    fails_with(check_drop_block, pops, hint="do not pop")
    fails_with(check_drop_block, lambda model, name: keras.Sequential([keras.Input((28, 28)), *model.layers[:1], *model.layers[2:]]),
               hint="input shape from the model")
    fails_with(check_drop_block, lambda model, name: "b1, b3", hint="without the named one")
