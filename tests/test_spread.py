"""The spread between images, and the float64 forward pass it is measured on."""

import keras
import numpy as np
import pytest

from helpers.models import mlp
from helpers.seeding import set_seed
from helpers.spread import forward_float64, spread_between_images


def test_spread_is_each_units_std_over_images_root_mean_squared():
    a = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]], dtype="float32")  # unit 1 varies (std sqrt(8/3)), unit 2 not
    assert spread_between_images(a) == pytest.approx(np.sqrt((8 / 3 + 0) / 2))
    assert list(spread_between_images([a, 2 * a])) == pytest.approx([np.sqrt(4 / 3), 2 * np.sqrt(4 / 3)])
    with pytest.raises(ValueError, match="at least 2 images"):
        spread_between_images(np.ones((1, 4)))


def test_float64_forward_pass_matches_a_hand_computed_one():
    set_seed(0)
    model = mlp(4, 16, activation="sigmoid", input_shape=(8,))
    x = np.random.default_rng(0).uniform(0, 1, (32, 8)).astype("float32")
    h, expected = x.astype(np.float64), []
    for name in ("hidden_1", "hidden_2", "hidden_3", "hidden_4"):
        kernel, bias = (np.asarray(w, np.float64) for w in model.get_layer(name).get_weights())
        h = 1 / (1 + np.exp(-(h @ kernel + bias)))
        expected.append(h)
    outputs = forward_float64(model, x, ["hidden_1", "hidden_2", "hidden_3", "hidden_4"])
    assert all(o.dtype == np.float64 for o in outputs)
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # float32 agrees to its own precision
    np.testing.assert_allclose(model.predict(x, verbose=0), forward_float64(model, x)[-1], rtol=1e-5)


def test_float64_forward_pass_refuses_layers_it_does_not_handle():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                              keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Flatten and Dense layers only"):
        forward_float64(model, np.ones((3, 8), "float32"))
