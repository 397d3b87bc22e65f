"""The views draw labeled, headless figures whose titles state what the data shows."""

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import GradientMonitor, plots, probes
from helpers.models import mlp
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


def test_headless_backend():
    assert matplotlib.get_backend().lower() == "agg"


def test_gradient_vs_depth_is_log_scaled_and_its_title_states_the_ratio(monitor):
    ax = plots.gradient_vs_depth(monitor)
    assert labeled(ax) and ax.get_yscale() == "log"
    last = monitor.record.table("kernel_grad_norm").iloc[-1]
    factor = last["output"] / last["hidden_1"]
    assert factor > 1
    assert f"{factor:,.0f}x smaller" in ax.get_title() or f"{factor:.1f}x smaller" in ax.get_title()
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
    assert labeled(ax) and ax.get_ylim()[1] > 100
    ax = plots.update_ratios(monitor)
    assert labeled(ax) and ax.get_yscale() == "log" and "1e-3 rule of thumb" in ax.get_title()
    reference = [line for line in ax.get_lines() if np.allclose(line.get_ydata(), 1e-3)]
    assert len(reference) == 1


def test_overview_and_a_single_measurement_table(monitor):
    fig = plots.overview(monitor)
    assert sum(ax.get_visible() for ax in fig.axes) >= 5
    frame = probes.measure(monitor.model, monitor.x, monitor.y)
    ax = plots.gradient_vs_depth(frame)
    assert ax.get_title().startswith("Step 0")


def test_bad_sources_are_refused():
    with pytest.raises(TypeError, match="expected a GradientMonitor, a GradientRecord or a tidy DataFrame"):
        plots.gradient_vs_depth([1, 2, 3])
