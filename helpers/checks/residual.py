"""Checks for notebook 09's exercises (residual connections and normalization layers)."""

import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable

_RMS_SIGNATURE = "Use the signature rms_norm(x, epsilon=1e-6): x is a 2-D NumPy array, examples x units."


def _rows(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=1.5, scale=2.0, size=(6, 16))  # examples with a clear mean, so centring shows
    x[-1] *= 1e-4  # a tiny example: where epsilon goes matters
    return x


def _rms(x, epsilon=1e-6, axis=-1):
    return x / np.sqrt(np.mean(x**2, axis=axis, keepdims=True) + epsilon)


def check_rms_norm(rms_norm):
    """Exercise 1: x / sqrt(mean(x^2 over the units) + epsilon), per example, no centring, no learned scale."""
    require_callable(rms_norm, "rms_norm")
    x = _rows()
    got = as_array(call(rms_norm, "rms_norm(x)", _RMS_SIGNATURE, x.copy()), "rms_norm(x)")
    require(got.shape == x.shape, f"the output has shape {got.shape}; it should have the input's shape {x.shape}.",
            "Normalize each example (row) and keep every unit: use keepdims=True so the division broadcasts.")
    if not np.allclose(got, _rms(x), rtol=1e-5, atol=1e-8):
        require(np.all(np.isfinite(got)), "the output has NaN or infinite values.",
                "Add epsilon to the mean square before taking the square root, so a tiny example cannot divide by ~0.")
        if np.allclose(got, _rms(x, axis=0), rtol=1e-4):
            fail("each unit is normalized over the batch (axis 0): that is BatchNormalization's axis.",
                 "RMSNormalization works on each example over its own units: reduce over the last axis.")
        centred = x - x.mean(axis=-1, keepdims=True)
        if np.allclose(got, _rms(centred), rtol=1e-4) or np.allclose(got, centred / np.sqrt(centred.var(axis=-1, keepdims=True) + 1e-6), rtol=1e-4):
            fail("each example's mean is subtracted first: that is LayerNormalization.",
                 "RMSNormalization leaves the mean in and divides by the root mean square alone.")
        if np.allclose(got[:-1], _rms(x)[:-1], rtol=1e-4):
            fail("right for ordinary examples, but not for a very small one (values around 1e-4).",
                 "Add epsilon inside the square root, to the mean square, as Keras does.")
        fail(f"the output differs from keras.layers.RMSNormalization's by up to {np.max(np.abs(got - _rms(x))):.2g}.",
             "Divide each example by the square root of (the mean of its squared units + epsilon); no learned scale.")
    keras_like = _keras_rms(x)  # the definition above is Keras's: checked on every run
    if not np.allclose(keras_like, _rms(x), rtol=1e-4, atol=1e-6):
        raise RuntimeError("keras.layers.RMSNormalization no longer computes x / sqrt(mean(x**2) + epsilon): update this check")
    passed("x / sqrt(mean(x**2) + epsilon) per example: the same as keras.layers.RMSNormalization at initialization.")


def _keras_rms(x):
    import keras

    layer = keras.layers.RMSNormalization(epsilon=1e-6)
    return keras.ops.convert_to_numpy(layer(x.astype("float32"))).astype(float)


def check_scaled_variance_growth(scaled_variance_growth):
    """Exercise 2: (1 + 1/L)^L after L blocks whose branches are scaled by 1/sqrt(L)."""
    require_callable(scaled_variance_growth, "scaled_variance_growth")
    hint = "Each block multiplies the variance by the same factor: after `depth` blocks, multiply it in `depth` times."
    for depth in (1, 2, 50, 1000):
        expected = (1 + 1 / depth) ** depth
        got = as_number(call(scaled_variance_growth, f"scaled_variance_growth({depth})", hint, depth),
                        f"scaled_variance_growth({depth})")
        if np.isclose(got, np.e, rtol=1e-6):
            fail(f"scaled_variance_growth({depth}) is the limit for infinitely many blocks, not the factor after {depth}.",
                 hint)
        if np.isclose(got, 1 + depth * (1 / depth)) and depth > 1:
            fail(f"scaled_variance_growth({depth}) adds the blocks' factors instead of multiplying them: {how_far(got, expected)}.",
                 hint)
        require(np.isclose(got, expected, rtol=1e-9),
                f"scaled_variance_growth({depth}) is off: {how_far(got, expected)}.", hint)
    passed(f"(1 + 1/L)^L: 2 after one block, {(1 + 1 / 50) ** 50:.3f} after 50, and never above e = {np.e:.4f}, however deep.")


def _tiny_model():
    import keras

    dense = [keras.layers.Dense(4, name=f"b{i}", kernel_initializer=keras.initializers.GlorotUniform(seed=i)) for i in (1, 2, 3)]
    return keras.Sequential([keras.Input((4,)), *dense], name="tiny")  # its own seeds: the notebook's stay untouched


def check_drop_block(drop_block):
    """Exercise 3: a new Sequential of the same layer objects, one left out."""
    import keras

    require_callable(drop_block, "drop_block")
    model = _tiny_model()
    before = [layer for layer in model.layers]
    hint = "Build keras.Sequential([keras.Input(...), *layers]) from model.layers without the named one; take the input shape from the model."
    smaller = call(drop_block, 'drop_block(model, "b2")', hint, model, "b2")
    require(isinstance(smaller, keras.Model), f"drop_block returned a {type(smaller).__name__}, not a Keras model.", hint)
    require(list(model.layers) == before, "the original model changed.",
            "Make a new model from the layers; do not pop layers from the one you were given.")
    names = [layer.name for layer in smaller.layers]
    require(names == ["b1", "b3"], f"the new model's layers are {names}; they should be b1 and b3, in order.", hint)
    require(all(a is b for a, b in zip(smaller.layers, (before[0], before[2]))),
            "the new model's layers are copies, not the trained layers themselves.",
            "Reuse the layer objects from model.layers, so the new model keeps the trained weights.")
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    expected = keras.ops.convert_to_numpy(before[2](before[0](x)))
    got = as_array(keras.ops.convert_to_numpy(smaller(x)), "drop_block(model, 'b2')(x)")
    require(np.allclose(got, expected, atol=1e-6), "the new model does not compute b3(b1(x)).", hint)
    passed("the same trained layers minus one: in a residual net the others barely notice.")
