"""The views draw labeled, headless figures whose titles state what the data shows."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import GradientMonitor, GradientRecord, plots
from helpers.models import mlp
from helpers.record import times
from helpers.seeding import set_seed


@pytest.fixture(scope="module")
def monitor():
    set_seed(5)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(128, 10)).astype("float32")
    y = rng.integers(0, 10, 128)
    model = mlp(4, 16, activation="sigmoid", input_shape=(10,))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.1))
    monitor = GradientMonitor(x[:64], y[:64], every=2, bins=12)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[monitor])
    yield monitor
    plt.close("all")


def labeled(ax):
    return bool(ax.get_xlabel()) and bool(ax.get_ylabel()) and bool(ax.get_title())


def test_gradient_vs_depth_is_log_scaled_and_its_title_states_the_ratio(monitor):
    ax = plots.gradient_vs_depth(monitor)
    assert labeled(ax) and ax.get_yscale() == "log"
    table = monitor.record.table("kernel_grad_norm")
    last = table.iloc[-1]
    np.testing.assert_array_equal(ax.get_lines()[-1].get_ydata(), last.to_numpy())
    a, b = last["hidden_1"], last["output"]
    expected = f"hidden_1's gradient is {times(b / a)} smaller than output's" if a < b else \
        f"hidden_1's gradient is {times(a / b)} larger than output's"
    assert ax.get_title() == f"Step {table.index[-1]}: {expected}"
    assert [t.get_text() for t in ax.get_xticklabels()] == monitor.record.layers


def test_backpropagated_signal_view(monitor):
    ax = plots.gradient_vs_depth(monitor.record, statistic="input_grad_norm", steps=[0, 4])
    assert "backpropagated signal" in ax.get_title() and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 2


def test_heatmap_has_one_row_per_layer_and_a_colorbar(monitor):
    ax = plots.gradient_heatmap(monitor)
    assert labeled(ax) and "orders of magnitude" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == monitor.record.layers
    assert len(ax.figure.axes) == 2  # the heatmap and its colorbar


def test_activation_histograms_leave_out_the_softmax_output(monitor):
    ax = plots.activation_histograms(monitor, step=4)
    assert labeled(ax) and ax.get_title().startswith("Step 4")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"hidden_{i} (sigmoid)" for i in range(1, 5)]
    with pytest.raises(ValueError, match="no histograms at step 3"):
        plots.activation_histograms(monitor, step=3)


def test_unit_fractions_and_update_ratios(monitor):
    ax = plots.unit_fractions(monitor)
    saturated = monitor.record.table("frac_saturated")
    lines = ax.get_lines()  # sigmoid layers: saturation (dashed) only, no dead-unit lines
    assert labeled(ax) and [line.get_linestyle() for line in lines] == ["--"] * 4
    np.testing.assert_allclose(lines[1].get_ydata(), 100 * saturated["hidden_2"])
    end = saturated.iloc[-1]
    expected = (f"By step {saturated.index[-1]}, {end.max():.0%} of {end.idxmax()}'s outputs are saturated"
                if end.max() > 0 else "No layer has dead units or saturated outputs")
    assert ax.get_title() == expected
    ax = plots.update_ratios(monitor)
    assert labeled(ax) and ax.get_yscale() == "log" and "1e-3 rule of thumb" in ax.get_title()
    reference = [line for line in ax.get_lines() if np.allclose(line.get_ydata(), 1e-3)]
    assert len(reference) == 1


def test_a_single_measurement_record_is_a_source(monitor):
    record = GradientRecord.of(monitor.model, monitor.x, monitor.y)
    ax = plots.gradient_vs_depth(record)
    assert ax.get_title().startswith("Step 0")


def test_a_layer_without_finite_outputs_is_named_not_drawn():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="dense")])
    model.get_layer("dense").bias.assign(np.full(3, np.inf, "float32"))
    record = GradientRecord.of(model, np.ones((8, 4), "float32"), np.zeros((8, 3), "float32"), loss="mse")
    ax = plots.activation_histograms(record)
    assert "none of the 24 outputs is finite" in ax.get_legend().get_texts()[0].get_text()


def test_bad_sources_are_refused():
    with pytest.raises(TypeError, match="expected a GradientMonitor or a GradientRecord"):
        plots.gradient_vs_depth([1, 2, 3])
