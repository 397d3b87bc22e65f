"""Quick mode, the seed variable, and runs that repeat exactly."""

import io
from contextlib import redirect_stdout

import keras
import numpy as np
import pytest

from helpers import models, progress, seeding, settings


def test_quick_mode_flag(monkeypatch):
    monkeypatch.delenv("GRADIENTS_QUICK", raising=False)
    assert settings.quick_mode() is False
    for on in ("1", "true", "YES"):
        monkeypatch.setenv("GRADIENTS_QUICK", on)
        assert settings.quick_mode() is True
    monkeypatch.setenv("GRADIENTS_QUICK", "0")
    assert settings.quick_mode() is False
    assert settings.by_mode(full=10, quick=2) == 10
    monkeypatch.setenv("GRADIENTS_QUICK", "maybe")
    with pytest.raises(ValueError, match="GRADIENTS_QUICK=1"):
        settings.quick_mode()


def test_seed_variable(monkeypatch):
    monkeypatch.delenv("GRADIENTS_SEED", raising=False)
    assert settings.seed_from_env() == settings.DEFAULT_SEED
    monkeypatch.setenv("GRADIENTS_SEED", "7")
    assert settings.seed_from_env() == 7
    assert seeding.set_seed() == 7
    monkeypatch.setenv("GRADIENTS_SEED", "seven")
    with pytest.raises(ValueError, match="not an integer"):
        settings.seed_from_env()
    with pytest.raises(TypeError, match="seed must be an int"):
        seeding.set_seed(1.5)


def _train_once(seed):
    seeding.set_seed(seed)
    rng = np.random.default_rng(0)
    x = rng.random((256, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 256)
    model = models.mlp(2, width=32)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=True, verbose=0)
    return history.history["loss"], model.get_weights()[0]


def test_same_seed_gives_identical_metrics_twice():
    loss_a, weights_a = _train_once(3)
    loss_b, weights_b = _train_once(3)
    assert loss_a == loss_b
    assert np.array_equal(weights_a, weights_b)
    loss_c, _ = _train_once(4)
    assert loss_c != loss_a, "a different seed should give a different run"


def test_epoch_line_prints_one_line_per_epoch():
    seeding.set_seed(0)
    model = models.mlp(1, width=8)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    out = io.StringIO()
    x = np.zeros((64, 28, 28), dtype=np.float32)
    y = np.zeros(64, dtype=np.int32)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[progress.EpochLine(label="tiny", stream=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("tiny | epoch 1/3 | loss ")
    assert "accuracy" in lines[-1] and lines[-1].endswith(" s")
    with pytest.raises(TypeError, match="verbose=0"):
        progress.fit(model, x, y, verbose=1)
    out = io.StringIO()
    with redirect_stdout(out):
        progress.fit(model, x, y, epochs=5, batch_size=8, label="sparse", every=2)
    assert [line.split(" | ")[1] for line in out.getvalue().splitlines()] == ["epoch 2/5", "epoch 4/5", "epoch 5/5"]


def test_fit_builds_optimizer_and_metrics_before_tracing():
    """Variables created in the first trace make TensorFlow trace the step twice; helpers.fit avoids it, same numbers."""
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(96, 28, 28)).astype(np.float32)
    y = np.arange(96, dtype=np.int32) % 10

    def run(fit):
        """Train a fresh model with ``fit``; return the variables created while tracing, and the history."""
        seeding.set_seed(3)
        model = models.mlp(3, width=16)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        names = []

        def creator(next_creator, **kwargs):
            if tf.inside_function():
                names.append(kwargs.get("name"))
            return next_creator(**kwargs)

        with tf.variable_creator_scope(creator), redirect_stdout(io.StringIO()):
            history = fit(model, x, y, epochs=2, batch_size=32)
        return names, history.history

    plain_names, plain = run(lambda model, *args, **kwargs: model.fit(*args, verbose=0, **kwargs))
    built_names, built = run(progress.fit)
    assert plain_names, "plain model.fit should create Adam's and the metrics' variables while tracing (else this test checks nothing)"
    assert built_names == [], f"helpers.fit left variables to the traced step: {built_names}"
    assert built == plain, "building first must not change what is computed"


@pytest.mark.parametrize("private", ["missing", "other signature"])
def test_fit_falls_back_to_kerass_own_build_when_the_private_prebuild_differs(private, monkeypatch):
    """helpers.fit uses Keras's private _symbolic_build only where it has the expected signature."""
    x = np.random.default_rng(0).normal(size=(64, 28, 28)).astype(np.float32)
    y = np.arange(64, dtype=np.int32) % 10

    def train():
        seeding.set_seed(3)
        model = models.mlp(3, width=16)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        with redirect_stdout(io.StringIO()):
            return progress.fit(model, x, y, epochs=1, batch_size=32).history

    expected = train()
    calls = []
    owner = next(c for c in keras.Sequential.__mro__ if "_symbolic_build" in vars(c))
    if private == "missing":
        monkeypatch.delattr(owner, "_symbolic_build")
    else:
        monkeypatch.setattr(owner, "_symbolic_build", lambda self, batch: calls.append(batch))
    assert train() == expected
    assert calls == [], "a pre-build with another signature is not called"


def test_model_builders():
    deep = models.mlp(5, width=16, activation="sigmoid", kernel_initializer="he_normal")
    names = [layer.name for layer in deep.layers]
    assert names == ["flatten"] + [f"hidden_{i}" for i in range(1, 6)] + ["output"]
    classic = models.classic_model()
    assert classic.count_params() == 271_346  # 784*2 + 235,500 + 600 + 30,100 + 200 + 1,010 (BN: 4 per feature)
    assert models.classic_model(batch_norm=False).count_params() == 266_610
    with pytest.raises(ValueError, match="n_hidden"):
        models.mlp(-1)


def test_package_exposes_submodules_and_names_lazily():
    import helpers

    assert helpers.models.mlp is models.mlp
    assert helpers.set_seed is seeding.set_seed
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        helpers.nonexistent


def test_mlp_dtype_policy_is_for_the_hidden_layers():
    model = models.mlp(2, width=8, dtype="mixed_float16")
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden_")]
    assert [layer.dtype_policy.name for layer in hidden] == ["mixed_float16"] * 2
    assert [layer.kernel.dtype for layer in hidden] == ["float32"] * 2  # mixed: float32 variables
    assert model.get_layer("output").dtype_policy.name == "float32"
    assert model(np.zeros((1, 28, 28), np.float32)).dtype == "float32"
    plain = models.mlp(2, width=8)
    assert {layer.dtype_policy.name for layer in plain.layers} == {"float32"}
