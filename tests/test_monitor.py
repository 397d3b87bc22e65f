"""GradientMonitor during fit: when it records, what it keeps, how it handles NaN and its own errors."""

import keras
import numpy as np
import pytest

from helpers import GradientMonitor, probes
from helpers.models import mlp
from helpers.monitor import NonFiniteError
from helpers.seeding import set_seed

N, BATCH = 64, 16  # 4 steps per epoch


@pytest.fixture
def task():
    set_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N, 12)).astype("float32")
    y = rng.integers(0, 10, N)
    model = mlp(3, 16, input_shape=(12,))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.05))
    return model, x, y


def fit(model, x, y, monitor, epochs=2, extra=()):
    return model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0, shuffle=False,
                     callbacks=[*extra, monitor])


def test_records_step_zero_every_n_steps_and_the_last_step(task):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=3)
    fit(model, x, y, monitor)
    frame = monitor.record.frame.query("statistic != 'batch_grad_norm'")
    assert list(frame.columns) == ["step", "epoch", "layer", "depth", "statistic", "value"]
    assert monitor.record.steps == [0, 3, 6, 8]
    assert dict(frame.drop_duplicates("step").set_index("step")["epoch"]) == {0: 0, 3: 0, 6: 1, 8: 1}
    # One row per step, layer and statistic.
    assert not frame.duplicated(["step", "layer", "statistic"]).any()
    # Update ratios cover the single update just before a scheduled recording.
    ratios = monitor.record.table("kernel_update_ratio")
    assert list(ratios.index) == [3, 6]
    assert (ratios > 0).all().all()
    assert monitor.nonfinite is None


def test_recorded_values_equal_a_direct_probe_of_the_final_model(task):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=100)
    fit(model, x, y, monitor, epochs=1)
    recorded = monitor.record.table("kernel_grad_norm").loc[4]
    direct = probes.gradient_norms(model, x[:32], y[:32])
    for layer, value in recorded.items():
        assert value == pytest.approx(direct[layer]["kernel"], rel=1e-5)


def test_per_epoch_recording(task):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every="epoch", bins=5)
    fit(model, x, y, monitor, epochs=3)
    assert monitor.record.steps == [0, 4, 8, 12]
    assert list(monitor.record.table("kernel_update_ratio").index) == [4, 8, 12]
    histogram = monitor.record.histograms[(12, "hidden_1")]
    counts, edges = histogram.counts, histogram.edges
    assert counts.sum() == 32 * 16 and len(edges) == 6


class PoisonAt(keras.callbacks.Callback):
    """Sets one layer's kernel to NaN once a given number of steps are done."""

    def __init__(self, step, layer):
        super().__init__()
        self.step, self.layer, self.done = step, layer, 0

    def on_train_batch_begin(self, batch, logs=None):
        if self.done == self.step:
            kernel = self.model.get_layer(self.layer).kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))
        self.done += 1


def test_injected_nan_is_reported_at_its_step_and_layer_and_stops_training(task, capsys):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=1)
    history = fit(model, x, y, monitor, epochs=3, extra=[PoisonAt(5, "hidden_2")])
    where = monitor.nonfinite
    assert (where.step, where.epoch, where.layer, where.what) == (5, 1, "hidden_2", "non-finite weights")
    assert "step 5" in capsys.readouterr().out
    # Stopped after the batch in progress instead of running all 12 steps.
    assert monitor.step == 6 and len(history.history["loss"]) == 2
    assert "hidden_2" in repr(monitor.record)


def test_nan_can_be_left_running(task, capsys):
    model, x, y = task
    keep_going = GradientMonitor(x[:32], y[:32], every=2, on_nan="warn")
    fit(model, x, y, keep_going, extra=[PoisonAt(4, "hidden_3")])
    assert (keep_going.nonfinite.step, keep_going.nonfinite.layer) == (4, "hidden_3")
    assert keep_going.step == 8
    printed = capsys.readouterr().out
    assert printed.count("GradientMonitor: non-finite weights first seen at step 4") == 1 and "stopping" not in printed


def test_a_later_fit_of_a_model_gone_nan_is_stopped_again(task, capsys):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=1)
    fit(model, x, y, monitor, extra=[PoisonAt(2, "hidden_1")])
    assert monitor.step == 3
    history = fit(model, x, y, monitor)
    assert monitor.step == 4 and len(history.history["loss"]) == 1, "the policy applies to every fit"
    assert capsys.readouterr().out.count("stopping training") == 2


def test_nan_can_be_raised(task):
    model, x, y = task
    strict = GradientMonitor(x[:32], y[:32], every=1, on_nan="raise")
    with pytest.raises(NonFiniteError, match="step 2 .*hidden_1"):
        fit(model, x, y, strict, extra=[PoisonAt(2, "hidden_1")])


def test_own_errors_propagate_instead_of_becoming_warnings(task, monkeypatch):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=1)
    calls = {"n": 0}
    real = probes.Probe.measure

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(probes.Probe, "measure", flaky)
    with pytest.raises(RuntimeError, match="disk full"):
        fit(model, x, y, monitor)
    assert monitor.record.steps == [0, 1]


def test_a_non_finite_probe_batch_is_refused_before_training(task):
    model, x, y = task
    poisoned = x[:8].copy()
    poisoned[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"probe batch x holds 1 NaN/Inf value\(s\) \(the first at index \(3, 2\)\)"):
        GradientMonitor(poisoned, y[:8])
    with pytest.raises(ValueError, match="probe labels y holds"):
        GradientMonitor(x[:8], np.full(8, np.inf))


def test_training_batch_norms_are_recorded_every_step_before_clipping(task):
    import tensorflow as tf

    model, x, y = task
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.05, global_clipnorm=1e-3))
    monitor = GradientMonitor(x[:32], y[:32], every=3)
    start = [w.copy() for w in model.get_weights()]
    fit(model, x, y, monitor, epochs=2)  # no shuffling below, so the batches are known
    norms = monitor.record.series("batch_grad_norm")
    assert list(norms.index) == list(range(8)), "one norm per optimizer step"
    # Replay the first step by hand: the norm is of the raw gradient, not the clipped one (1e-3).
    replay = keras.models.clone_model(model)
    replay.set_weights(start)
    loss = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        value = loss(y[:BATCH], replay(x[:BATCH], training=True))
    grads = tape.gradient(value, replay.trainable_variables)
    expected = np.sqrt(sum(np.sum(np.asarray(g, np.float64) ** 2) for g in grads))
    assert norms.loc[0] == pytest.approx(expected, rel=1e-5) and norms.loc[0] > 10 * 1e-3
    # A second fit continues the step count; a fit without the monitor in between is not recorded.
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    fit(model, x, y, monitor, epochs=1)
    assert list(monitor.record.series("batch_grad_norm").index) == list(range(12))


def test_norms_of_many_steps_survive_the_ring_buffer_and_two_monitors_read_them_each():
    set_seed(1)
    x = np.random.default_rng(1).normal(size=(1300, 12)).astype("float32")
    y = np.arange(1300) % 10
    model = mlp(1, 8, input_shape=(12,))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.01))
    first, second = GradientMonitor(x[:8], y[:8], every=500, bins=None), GradientMonitor(x[:8], y[:8], every=7, bins=None)
    model.fit(x, y, batch_size=1, epochs=1, verbose=0, shuffle=False, callbacks=[first, second])
    for monitor in (first, second):  # 1,300 steps: more than the 1,024 the log holds at once
        norms = monitor.record.series("batch_grad_norm")
        assert list(norms.index) == list(range(1300)) and (norms > 0).all()
    assert first.record.series("batch_grad_norm").equals(second.record.series("batch_grad_norm"))


def test_a_loss_scale_optimizer_logs_the_unscaled_norm(task):
    import tensorflow as tf

    model, x, y = task
    start = [w.copy() for w in model.get_weights()]
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.05)))
    monitor = GradientMonitor(x[:32], y[:32])
    fit(model, x, y, monitor, epochs=1)
    replay = keras.models.clone_model(model)
    replay.set_weights(start)
    with tf.GradientTape() as tape:
        value = keras.losses.SparseCategoricalCrossentropy()(y[:BATCH], replay(x[:BATCH], training=True))
    expected = float(tf.linalg.global_norm(tape.gradient(value, replay.trainable_variables)))
    assert monitor.record.series("batch_grad_norm").loc[0] == pytest.approx(expected, rel=1e-5)


def test_a_monitor_moved_to_another_model_starts_a_new_record(task):
    model, x, y = task
    monitor = GradientMonitor(x[:32], y[:32], every=2)
    fit(model, x, y, monitor)
    other = mlp(2, 8, input_shape=(12,))
    other.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.05))
    fit(other, x, y, monitor, epochs=1)
    assert monitor.record.steps == [0, 2, 4] and monitor.record.layers == ["hidden_1", "hidden_2", "output"]
    assert list(monitor.record.series("batch_grad_norm").index) == [0, 1, 2, 3]


def test_bad_arguments_are_refused_with_what_was_expected(task):
    model, x, y = task
    with pytest.raises(ValueError, match="every must be a positive number of steps or 'epoch'"):
        GradientMonitor(x, y, every=0)
    with pytest.raises(TypeError, match="probe batch x must hold numbers"):
        GradientMonitor(np.array([["a"] * 12] * 4), y[:4])
    with pytest.raises(ValueError, match=r"shape \(4, 5\).*expects \(batch, 12\)"):
        fit(model, x, y, GradientMonitor(np.ones((4, 5)), y[:4]))
    with pytest.raises(ValueError, match="layer index 9 is out of range"):
        fit(model, x, y, GradientMonitor(x[:4], y[:4], layers=[9]))


def test_record_table_names_the_available_statistics(task):
    model, x, y = task
    monitor = GradientMonitor(x[:8], y[:8])
    fit(model, x, y, monitor, epochs=1)
    with pytest.raises(ValueError, match="no 'grad' in this record; it has: .*kernel_grad_norm"):
        monitor.record.table("grad")
    with pytest.raises(ValueError, match=r"model-wide, not per layer: use record.series\('loss'\)"):
        monitor.record.table("loss")
    with pytest.raises(ValueError, match=r"per layer: use record.table\('act_std'\)"):
        monitor.record.series("act_std")


def test_a_record_of_a_model_at_initialization_feeds_every_view():
    import matplotlib

    matplotlib.use("Agg")
    from helpers import GradientRecord, plots

    set_seed(0)
    model = mlp(3, width=16, activation="sigmoid")
    x = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    y = np.arange(64) % 10
    record = GradientRecord.of(model, x, y, loss="sparse_categorical_crossentropy")
    assert record.steps == [0]
    assert list(record.table("frac_saturated").columns) == ["hidden_1", "hidden_2", "hidden_3"]
    expected = probes.gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    assert record.table("kernel_grad_norm").loc[0, "hidden_1"] == pytest.approx(expected["hidden_1"]["kernel"], rel=1e-5)
    ax = plots.activation_histograms(record)
    assert ax.get_xlabel() == "activation value (layer output)"
    assert plots.gradient_vs_depth(record).get_title().startswith("Step 0: hidden_1's gradient")
    assert [t.get_text() for t in plots.gradient_heatmap(record).get_yticklabels()] == record.layers
    assert plots.unit_fractions(record).get_title().startswith(("By step 0", "No layer"))
    with pytest.raises(ValueError, match="no 'kernel_update_ratio' in this record"):
        plots.update_ratios(record)  # one measurement: no update to measure
