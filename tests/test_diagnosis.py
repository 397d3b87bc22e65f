"""diagnose() on briefly trained, deliberately broken (and one healthy) networks.

Each case is a small MLP on a seeded synthetic 10-class problem, trained for
two epochs (32 steps) with the monitor recording every step. Each must yield
its own finding and nothing else, for several seeds.
"""

import functools

import keras
import numpy as np
import pytest

from helpers import GradientMonitor, diagnose
from helpers.diagnosis import Finding, Findings
from helpers.models import mlp
from helpers.seeding import set_seed

SEEDS = (0, 1, 2)


def build(case):
    """The model and optimizer that produce each symptom."""
    if case == "vanishing":  # ten sigmoid layers: each multiplies the gradient by <= 1/4
        return mlp(10, 32, activation="sigmoid", input_shape=(20,)), keras.optimizers.SGD(0.1)
    if case == "exploding":  # large weights, no nonlinearity to tame them, a large step size
        init = keras.initializers.RandomNormal(stddev=0.3)
        return (mlp(6, 32, activation="linear", kernel_initializer=init, input_shape=(20,)),
                keras.optimizers.SGD(0.1))
    if case == "dying":  # biases so negative that no ReLU unit ever fires
        model = mlp(3, 32, activation="relu", kernel_initializer="he_normal", input_shape=(20,))
        for layer in model.layers:
            if layer.name.startswith("hidden"):
                layer.bias.assign(np.full(layer.bias.shape, -10.0, "float32"))
        return model, keras.optimizers.Adam(1e-3)
    if case == "saturation":  # weights so large that sigmoid inputs sit far from 0
        init = keras.initializers.RandomNormal(stddev=3.0)
        return (mlp(2, 32, activation="sigmoid", kernel_initializer=init, input_shape=(20,)),
                keras.optimizers.SGD(0.1))
    assert case == "healthy"  # He-initialized ReLU net with Adam
    return mlp(3, 32, activation="relu", kernel_initializer="he_normal", input_shape=(20,)), \
        keras.optimizers.Adam(1e-3)


@functools.lru_cache(maxsize=None)  # several tests read the same run
def train(case, seed):
    set_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((512, 20)).astype("float32")
    y = np.argmax(x @ rng.standard_normal((20, 10)), axis=1)
    model, optimizer = build(case)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer)
    monitor = GradientMonitor(x[:256], y[:256], every=1, bins=None)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[monitor])
    return monitor


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", ["vanishing", "exploding", "dying", "healthy"])
def test_each_case_is_named_and_nothing_else(case, seed):
    findings = diagnose(train(case, seed))
    assert findings.kinds == ([] if case == "healthy" else [case]), str(findings)


def test_saturation_is_named_and_nothing_else():
    assert diagnose(train("saturation", 0)).kinds == ["saturation"]


def test_findings_state_their_numbers_and_fixes():
    monitor = train("vanishing", 0)
    (finding,) = diagnose(monitor)
    grads = monitor.record.table("kernel_grad_norm")
    ratio = float(np.median(grads["hidden_1"] / grads["output"]))
    assert finding.numbers["ratio"] == pytest.approx(ratio)
    text = str(finding)
    assert text.startswith("VANISHING:") and f"{ratio:.1e}" in text
    assert "usual fixes:" in text and "batch normalization" in text
    # The threshold is live: demand a smaller ratio than measured and the finding goes.
    assert diagnose(monitor, vanishing_ratio=ratio / 2).kinds == []


def test_exploding_names_the_first_nonfinite_step():
    monitor = train("exploding", 0)
    (finding,) = diagnose(monitor)
    assert finding.numbers["nonfinite_step"] == monitor.nonfinite.step
    assert f"step {monitor.nonfinite.step}" in str(finding)


def test_findings_print_readably():
    assert "No finding" in str(Findings())
    text = str(Finding("dying", "headline", ["evidence 1"], ("fix a", "fix b")))
    assert text == "DYING: headline\n  - evidence 1\n  usual fixes: fix a; fix b"


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="expected a GradientMonitor or a GradientRecord"):
        diagnose({"step": [0]})
    with pytest.raises(ValueError, match="record is empty"):
        diagnose(GradientMonitor(np.ones((2, 3)), np.ones(2)))


def test_a_norm_keras_cannot_square_is_reported_as_exploding():
    from helpers import GradientRecord

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "softmax", kernel_initializer="zeros")])
    y = np.arange(8) % 3
    record = GradientRecord.of(model, np.full((8, 4), 1e20, "float32"), y, loss="sparse_categorical_crossentropy")
    (finding,) = diagnose(record)
    assert finding.kind == "exploding" and finding.numbers["norm_overflow_step"] == 0
    assert "clipping by a norm computed as inf gives NaN" in str(finding)
    assert diagnose(GradientRecord.of(model, np.full((8, 4), 1e17, "float32"), y,
                                      loss="sparse_categorical_crossentropy")).kinds == []
