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
    assert "fixes, each measured in the notebook named:" in text and "batch normalization" in text
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
    assert text == ("DYING: headline\n  - evidence 1\n  fixes, each measured in the notebook named:\n"
                    "    * fix a\n    * fix b")


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


def test_vanishing_advice_fits_a_sigmoid_net_that_already_has_glorots_weights():
    (finding,) = diagnose(train("vanishing", 0))
    text = str(finding)
    assert "start within 1.8x of the scale Glorot's initialization gives their activation" in text
    assert any(fix.startswith("ReLU with He's initialization instead of sigmoid") for fix in finding.fixes)
    assert not any("weights scaled to the fan-in" in fix or "Glorot" in fix for fix in finding.fixes), finding.fixes


def test_saturation_evidence_names_the_oversized_weights():
    (finding,) = diagnose(train("saturation", 0))
    smaller = [line for line in finding.evidence if line.startswith("hidden_")]
    # N(0, 3^2) weights: hidden_2 (32 inputs, 32 outputs) has fan-in x mean square about 32 x 9 = 288,
    # 288 times Glorot's 1, the worst ratio (hidden_1: 20 x 9 = 180 against Glorot's 2 x 20 / 52 = 0.77)
    assert len(smaller) == 1 and smaller[0].startswith("hidden_2's weights start"), finding.evidence
    assert "(and 1 more layer), where Glorot's initialization gives 1:" in smaller[0]
    scale = float(smaller[0].split("fan-in x mean square ")[1].split()[0])
    assert 200 < scale < 380


def test_dying_advice_tells_dead_at_initialization_from_killed_in_training():
    (finding,) = diagnose(train("dying", 0))  # biases at -10 from the start
    assert any(fix.startswith("He's initialization with zero biases") for fix in finding.fixes), finding.fixes
    assert not any(fix.startswith("a lower learning rate") for fix in finding.fixes), finding.fixes


def test_exploding_advice_takes_the_clipping_threshold_from_the_run():
    from helpers import GradientRecord

    healthy = np.random.default_rng(0).uniform(1.0, 2.0, 20)
    healthy[-1] = 0.5  # the rise starts here
    rising = [3.0, 40.0, 900.0, 2e4]
    record = GradientRecord(["dense"], ["relu"], [(4, 3)])
    record.add((step, 0, None, 0, statistic, value)
               for step, value in enumerate(np.concatenate([healthy, rising]))
               for statistic in ("global_grad_norm", "batch_grad_norm"))
    (finding,) = diagnose(record)
    assert finding.kind == "exploding"
    assert finding.numbers["clip_threshold"] == pytest.approx(np.percentile(healthy[:-1], 90))
    assert any(f"global_clipnorm={np.percentile(healthy[:-1], 90):.3g}" in fix for fix in finding.fixes)
    # Too few norms before the rise: no number is made up.
    short = GradientRecord(["dense"], ["relu"], [(4, 3)])
    short.add((step, 0, None, 0, "global_grad_norm", value) for step, value in enumerate(rising))
    (finding,) = diagnose(short)
    assert "clip_threshold" not in finding.numbers
    assert any("rose too soon to show its healthy level" in fix for fix in finding.fixes)
