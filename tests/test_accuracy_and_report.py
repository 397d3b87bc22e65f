"""helpers.accuracy (the one way notebooks measure accuracy) and helpers.report (figures for results.json)."""

import json

import keras
import numpy as np
import pytest

from helpers import accuracy, report
from helpers.seeding import set_seed


def test_accuracy_is_batched_in_inference_mode_and_matches_numpy():
    set_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, "relu"), keras.layers.Dropout(0.9),
                              keras.layers.Dense(4, "softmax")])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 6)).astype("float32")
    y = rng.integers(0, 4, 1000)
    expected = np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y)  # predict runs in inference mode
    # 1000 images in batches of 64 leave a ragged last batch; dropout at 0.9 would change every call in training mode.
    assert accuracy(model, x, y, batch_size=64) == expected == accuracy(model, x, y)
    with pytest.raises(ValueError, match="integer class labels"):
        accuracy(model, x, np.eye(4)[y])
    single = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, "sigmoid")])
    with pytest.raises(ValueError, match="one score per class"):
        accuracy(single, x, y % 2)


def test_report_writes_every_figure_so_far_and_refuses_what_is_not_a_number(tmp_path, monkeypatch):
    target = tmp_path / "figures.json"
    monkeypatch.setenv("GRADIENTS_REPORT", str(target))
    monkeypatch.setattr("helpers.results.FIGURES", {})
    report(first=0.5, second=np.float32(2.0))
    report(third=3)
    assert json.loads(target.read_text()) == {"first": 0.5, "second": 2.0, "third": 3}
    with pytest.raises(ValueError, match="not finite"):
        report(fourth=float("nan"))
    with pytest.raises(TypeError, match="single real number"):
        report(fifth=[1, 2])
    assert json.loads(target.read_text()) == {"first": 0.5, "second": 2.0, "third": 3}
    assert list(tmp_path.iterdir()) == [target], "no temporary file is left behind"
