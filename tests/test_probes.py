"""The measurement functions, on models whose right answers are known."""

import keras
import numpy as np
import pytest

from helpers import GradientRecord, probes
from helpers.record import COLUMNS
from helpers.models import mlp
from helpers.seeding import set_seed


def linear_model(n_in=4, n_out=3):
    model = keras.Sequential(
        [keras.Input(shape=(n_in,)), keras.layers.Dense(n_out, name="dense")], name="linear"
    )
    rng = np.random.default_rng(0)
    layer = model.get_layer("dense")
    layer.kernel.assign(rng.normal(size=(n_in, n_out)).astype("float32"))
    layer.bias.assign(rng.normal(size=n_out).astype("float32"))
    return model


def test_linear_model_gradients_match_the_hand_computed_ones():
    model = linear_model()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    w, b = (v.numpy().astype(np.float64) for v in model.get_layer("dense").weights)
    # L = mean over examples and outputs of (xW + b - y)^2.
    residual = x @ w + b - y
    scale = 2.0 / residual.size
    expected_w = np.linalg.norm(scale * x.T @ residual)
    expected_b = np.linalg.norm(scale * residual.sum(axis=0))
    expected_x = np.linalg.norm(scale * residual @ w.T)

    norms = probes.gradient_norms(model, x, y, loss="mean_squared_error")
    assert list(norms) == ["dense"]
    assert norms["dense"]["kernel"] == pytest.approx(expected_w, rel=1e-4)
    assert norms["dense"]["bias"] == pytest.approx(expected_b, rel=1e-4)
    signal = probes.input_gradient_norms(model, x, y, loss="mean_squared_error")
    assert signal["dense"] == pytest.approx(expected_x, rel=1e-4)


def test_compiled_loss_is_the_default():
    model = linear_model()
    model.compile(loss="mean_squared_error", optimizer="sgd")
    x = np.ones((5, 4), "float32")
    y = np.zeros((5, 3), "float32")
    assert probes.gradient_norms(model, x, y) == probes.gradient_norms(
        model, x, y, loss=keras.losses.MeanSquaredError()
    )


@pytest.fixture(scope="module")
def sigmoid_stack():
    set_seed(3)
    model = mlp(8, 16, activation="sigmoid", input_shape=(10,))
    x = np.random.default_rng(3).normal(size=(64, 10)).astype("float32")
    y = np.arange(64) % 10
    return model, x, y


def test_deep_sigmoid_stack_first_layer_gradient_is_below_the_last(sigmoid_stack):
    model, x, y = sigmoid_stack
    norms = probes.gradient_norms(model, x, y, loss="sparse_categorical_crossentropy")
    assert list(norms) == [f"hidden_{i}" for i in range(1, 9)] + ["output"]
    assert norms["hidden_1"]["kernel"] < norms["hidden_8"]["kernel"] < norms["output"]["kernel"]
    # The backpropagated signal shrinks layer by layer toward the input.
    signal = list(probes.input_gradient_norms(model, x, y, loss="sparse_categorical_crossentropy").values())
    assert all(a < b for a, b in zip(signal, signal[1:]))


def test_a_record_is_a_tidy_table_ordered_input_to_output(sigmoid_stack):
    model, x, y = sigmoid_stack
    record = GradientRecord.of(model, x, y, loss="sparse_categorical_crossentropy")
    frame = record.frame
    assert list(frame.columns) == COLUMNS
    depth = frame.dropna(subset=["layer"]).drop_duplicates("layer").set_index("layer")["depth"]
    assert list(depth.index) == [f"hidden_{i}" for i in range(1, 9)] + ["output"]
    assert list(depth) == list(range(1, 10))
    assert {"kernel_grad_norm", "bias_grad_norm", "input_grad_norm", "act_mean", "frac_saturated",
            "frac_dead", "loss", "global_grad_norm"} <= set(record.statistics)
    # Sigmoid layers get a saturation figure, the softmax output does not.
    assert list(record.table("frac_saturated").columns) == [f"hidden_{i}" for i in range(1, 9)]
    # Each layer's kernel shape travels with the record (diagnose reads the weights' scale from it).
    shapes = {layer.name: tuple(layer.kernel.shape) for layer in model.layers if hasattr(layer, "kernel")}
    assert record.kernel_shapes == shapes
    assert record.until(1).kernel_shapes == shapes


def test_global_norm_is_keras_global_clipnorm_norm_over_every_trainable_variable():
    import tensorflow as tf

    set_seed(1)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, name="a"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(3, name="b")])
    x = np.random.default_rng(1).normal(size=(16, 6)).astype("float32")
    y = np.arange(16) % 3
    loss = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        value = loss(y, model(x, training=False))
    grads = tape.gradient(value, model.trainable_variables)  # BN's gamma and beta included
    assert len(grads) == 6
    expected = float(tf.linalg.global_norm(grads))
    assert probes.global_gradient_norm(model, x, y, loss=loss) == pytest.approx(expected, rel=1e-6)
    record = GradientRecord.of(model, x, y, loss=loss)
    assert record.series("global_grad_norm").loc[0] == pytest.approx(expected, rel=1e-6)
    kernels_and_biases = np.sqrt(sum(v ** 2 for v in record.frame.query("statistic.str.endswith('_grad_norm') "
                                                                        "and layer == layer")["value"]))
    assert kernels_and_biases < expected, "the probed layers alone leave out BN's gamma and beta"


def test_norms_are_exact_where_float32_squares_overflow():
    # Zero weights and inputs of 1e20: every gradient element is about 1e19, finite;
    # their float32 sum of squares overflows, the float64 one does not.
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "softmax", kernel_initializer="zeros", name="dense")])
    x = np.full((8, 4), 1e20, "float32")
    y = np.arange(8) % 3
    loss = "sparse_categorical_crossentropy"
    residual = np.full((8, 3), 1 / 3) - np.eye(3)[y]  # softmax of zero logits minus the one-hot labels
    expected = np.linalg.norm(x.astype(np.float64).T @ residual / 8)
    assert 1e19 < expected < 1e20
    record = GradientRecord.of(model, x, y, loss=loss)
    assert record.table("kernel_grad_norm").loc[0, "dense"] == pytest.approx(expected, rel=1e-6)
    assert record.nonfinite is None
    # Finite, but its square is not: Keras's float32 sqrt(sum of squares) would give inf.
    assert record.norm_overflow.layer == "dense" and "kernel gradient norm above 1.8e19 (2.04e+19" in record.norm_overflow.what
    smaller = GradientRecord.of(model, x / 100, y, loss=loss)
    assert smaller.table("kernel_grad_norm").loc[0, "dense"] == pytest.approx(expected / 100, rel=1e-6)
    assert smaller.norm_overflow is None and smaller.nonfinite is None


def test_vanishing_norms_are_not_flushed_to_zero():
    # Elements of 1e-21: their float32 squares underflow to 0; the norm is 1e-21 * sqrt(n).
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "softmax", name="dense")])
    tiny = np.full((4, 3), 1e-21, "float32")
    model.get_layer("dense").kernel.assign(tiny)
    m = probes.Probe(model, loss="sparse_categorical_crossentropy").measure(np.ones((2, 4)), np.zeros(2, "int64"))
    assert m.weight_norms[0] == pytest.approx(np.sqrt(12) * 1e-21, rel=1e-6)
    assert m.first_nonfinite() is None


@pytest.mark.parametrize("case", ["ordinary", "overflowing", "vanishing", "mixed", "bfloat16", "nan", "inf", "none"])
def test_the_training_steps_global_norm_is_the_hosts_exact_sum(case):
    # global_squared_norm runs inside the compiled training step (the monitor's
    # batch_grad_norm); squared_norms sums the probe's arrays on the host.
    import tensorflow as tf

    rng = np.random.default_rng(0)
    arrays = {
        "ordinary": [rng.normal(size=(50, 30)), rng.normal(size=30)],
        "overflowing": [np.full((40, 10), 1e20), rng.normal(size=10)],  # float32 squares overflow
        "vanishing": [np.full((40, 10), 1e-21), np.full(10, 3e-22)],  # float32 squares flush to 0
        "mixed": [np.full((4, 3), 1e-25), np.full(3, 2e19)],
        "bfloat16": [rng.normal(size=(8, 8))],
        "nan": [rng.normal(size=(5, 5)), np.array([1.0, np.nan])],
        "inf": [rng.normal(size=(5, 5)), np.array([1.0, np.inf])],
        "none": [],
    }[case]
    dtype = "bfloat16" if case == "bfloat16" else "float32"
    tensors = [tf.cast(tf.constant(a, "float32"), dtype) for a in arrays]
    in_graph = float(tf.function(probes.global_squared_norm)(tensors)) if tensors else float(probes.global_squared_norm([]))
    on_host = float(probes.squared_norms([np.asarray(t) for t in tensors]).sum())
    exact = float(sum(np.sum(np.square(np.asarray(t).astype(np.float64))) for t in tensors))
    assert on_host == pytest.approx(exact, rel=1e-12, nan_ok=True)
    if case == "nan":
        assert np.isnan(in_graph) and np.isnan(on_host)
    elif case == "inf":
        assert in_graph == np.inf and on_host == np.inf
    else:
        assert in_graph == pytest.approx(exact, rel=1e-6) and np.isfinite(in_graph)
        if case == "vanishing":
            assert exact > 0 and in_graph > 0, "no square was flushed to zero"
        if case == "overflowing":
            assert exact > float(np.finfo(np.float32).max)


def test_regularization_is_part_of_the_probed_loss_as_in_keras_training():
    import tensorflow as tf

    set_seed(4)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(
        5, "softmax", kernel_regularizer=keras.regularizers.L2(1.0), name="dense")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    x = np.random.default_rng(4).normal(size=(16, 6)).astype("float32")
    y = np.arange(16) % 5
    with tf.GradientTape() as tape:
        value = model.compute_loss(x=x, y=y, y_pred=model(x, training=False))
    expected = float(tf.linalg.global_norm(tape.gradient(value, model.trainable_variables)))
    record = GradientRecord.of(model, x, y)
    assert record.series("global_grad_norm").loc[0] == pytest.approx(expected, rel=1e-5)
    assert record.series("loss").loc[0] == pytest.approx(float(value), rel=1e-6)


def test_a_norm_beyond_float32_with_finite_elements_is_its_own_finding():
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, "softmax", kernel_initializer="zeros", name="dense")])
    x = np.full((10, 64), 1e38, "float32")
    y = np.zeros(10, "int64")
    m = probes.Probe(model, loss="sparse_categorical_crossentropy").measure(x, y)
    assert m.first_nonfinite() is None
    expected = np.linalg.norm(x.astype(np.float64).T @ (np.full((10, 10), 0.1) - np.eye(10)[y]) / 10)
    assert expected > np.finfo(np.float32).max
    assert m.grad_norms[0] == pytest.approx(expected, rel=1e-6)
    layer, what = m.first_norm_overflow()
    assert layer == "dense" and f"kernel gradient norm above 1.8e19 ({expected:.2e}" in what and "every element finite" in what


def test_constant_huge_activations_get_a_histogram():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_initializer="zeros",
                                                                    bias_initializer=keras.initializers.Constant(1e19),
                                                                    name="dense")])
    record = GradientRecord.of(model, np.ones((8, 4), "float32"), np.zeros(8, "int64"),
                               loss="sparse_categorical_crossentropy", bins=30)
    histogram = record.histograms[(0, "dense")]
    assert histogram.counts.sum() == 24 and histogram.edges[0] < 1e19 < histogram.edges[-1]


def test_no_numpy_warning_from_exploded_values(recwarn):
    model = linear_model()
    model.get_layer("dense").kernel.assign(np.full((4, 3), 3e38, "float32"))
    before = probes.snapshot(model)
    model.get_layer("dense").kernel.assign(np.full((4, 3), -3e38, "float32"))
    assert probes.update_ratios(before, probes.snapshot(model))["dense"]["kernel"] == pytest.approx(2.0)
    GradientRecord.of(model, np.ones((2, 4)), np.ones((2, 3)), loss="mse")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in recwarn]


def test_training_mode_uses_batch_statistics_and_leaves_moving_statistics_alone():
    set_seed(2)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, name="a"),
                              keras.layers.BatchNormalization(name="bn"), keras.layers.Dense(3, name="b")])
    x = 3 + 2 * np.random.default_rng(2).normal(size=(32, 5)).astype("float32")
    y = np.arange(32) % 3
    saved = [v.numpy().copy() for v in model.non_trainable_variables]
    inference = probes.activation_stats(model, x, layers=["bn"], training=False)["bn"]
    training = probes.activation_stats(model, x, layers=["bn"], training=True)["bn"]
    GradientRecord.of(model, x, y, loss="sparse_categorical_crossentropy", training=True)
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(saved, model.non_trainable_variables))
    # Normalized with the batch's own statistics, BN's output has mean 0 and std ~1 over the batch.
    assert abs(training["act_mean"]) < 1e-5 and training["act_std"] == pytest.approx(1, abs=0.01)
    assert abs(inference["act_mean"]) > 0.1


def single_layer(activation, bias, n_in=6, units=16):
    set_seed(0)
    return keras.Sequential([
        keras.Input(shape=(n_in,)),
        keras.layers.Dense(units, activation=activation, name="hidden",
                           bias_initializer=keras.initializers.Constant(bias)),
    ])


def test_relu_with_a_large_negative_bias_is_all_dead_and_leaky_relu_is_not():
    x = np.random.default_rng(0).uniform(size=(32, 6)).astype("float32")
    relu = probes.activation_stats(single_layer("relu", -100.0), x)["hidden"]
    assert relu["frac_dead"] == 1.0 and relu["frac_zero"] == 1.0
    leaky = probes.activation_stats(single_layer("leaky_relu", -100.0), x)["hidden"]
    assert leaky["frac_dead"] == 0.0 and leaky["frac_zero"] == 0.0
    assert leaky["act_mean"] < 0


def test_activation_stats_match_numpy_and_saturation_follows_the_activation():
    x = np.random.default_rng(0).normal(size=(32, 6)).astype("float32")
    model = single_layer("tanh", 0.0)
    stats = probes.activation_stats(model, x, bins=10)["hidden"]
    out = model.predict(x, verbose=0)
    assert stats["act_mean"] == pytest.approx(out.mean(), abs=1e-6)
    assert stats["act_std"] == pytest.approx(out.std(), rel=1e-5)
    assert stats["frac_saturated"] == pytest.approx(np.mean(np.abs(out) > 0.99))
    counts, edges = stats["histogram"].counts, stats["histogram"].edges
    assert counts.sum() == out.size and edges[0] == -1 and edges[-1] == 1
    # sigmoid(20) ~ 1: every output within 0.01 of the asymptote; sigmoid(0) = 0.5: none.
    assert probes.activation_stats(single_layer("sigmoid", 20.0), x)["hidden"]["frac_saturated"] == 1
    assert probes.activation_stats(single_layer("sigmoid", 0.0), x)["hidden"]["frac_saturated"] == 0
    assert "frac_saturated" not in probes.activation_stats(single_layer("relu", 0.0), x)["hidden"]


def test_update_ratio_between_snapshots():
    model = linear_model()
    before = probes.snapshot(model)
    kernel = model.get_layer("dense").kernel
    kernel.assign(kernel.numpy() * 1.01)
    ratios = probes.update_ratios(before, probes.snapshot(model))
    assert ratios["dense"]["kernel"] == pytest.approx(0.01, rel=1e-3)
    assert ratios["dense"]["bias"] == 0.0
    with pytest.raises(ValueError, match="different layers"):
        probes.update_ratios(before, {})


def test_layers_by_name_and_index_are_reported_input_to_output(sigmoid_stack):
    model, x, _ = sigmoid_stack
    picked = probes.select_layers(model, ["output", 1])  # index 0 is the Flatten layer
    assert [layer.name for layer in picked] == ["hidden_1", "output"]
    stats = probes.activation_stats(model, x, layers=["hidden_8", "hidden_2"])
    assert list(stats) == ["hidden_2", "hidden_8"]


def test_functional_chain_matches_sequential_and_branches_are_refused():
    seq = linear_model()
    inputs = keras.Input(shape=(4,))
    chain = keras.Model(inputs, seq.get_layer("dense")(inputs))
    x = np.ones((3, 4), "float32")
    y = np.zeros((3, 3), "float32")
    assert probes.gradient_norms(chain, x, y, loss="mse") == probes.gradient_norms(seq, x, y, loss="mse")

    a = keras.layers.Dense(3, name="a")(inputs)
    b = keras.layers.Dense(3, name="b")(inputs)
    branched = keras.Model(inputs, keras.layers.Add()([a, b]))
    with pytest.raises(ValueError, match="single chain of layers"):
        probes.gradient_norms(branched, x, y, loss="mse")


def test_a_functional_chain_is_found_without_kerass_private_node_list(monkeypatch):
    """helpers reads Keras's private _inbound_nodes; without it, the public layer.input/output serve."""
    from helpers import inputs as helper_inputs

    x = np.ones((3, 4), "float32")
    y = np.zeros((3, 3), "float32")
    source = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(source)
    chain = keras.Model(source, keras.layers.Dense(3, name="top")(hidden))
    a = keras.layers.Dense(3, name="a")(source)
    branched = keras.Model(source, keras.layers.Add()([a, keras.layers.Dense(3, name="b")(source)]))
    expected = probes.gradient_norms(chain, x, y, loss="mse")

    real_getattr = getattr
    monkeypatch.setattr(helper_inputs, "getattr", lambda obj, name, *default: (
        default[0] if name == "_inbound_nodes" else real_getattr(obj, name, *default)), raising=False)
    assert [layer.name for layer in helper_inputs.layer_chain(chain)] == ["hidden", "top"]
    assert probes.gradient_norms(chain, x, y, loss="mse") == expected
    with pytest.raises(ValueError, match="single chain of layers"):
        helper_inputs.layer_chain(branched)


# Bad input --------------------------------------------------------------


class SklearnLike:
    def fit(self, x, y):
        return self


@pytest.mark.parametrize("thing", [SklearnLike(), lambda x: x, "model"])
def test_non_keras_objects_are_refused(thing):
    with pytest.raises(TypeError, match="expected a keras.Model"):
        probes.gradient_norms(thing, np.ones((2, 4)), np.ones(2), loss="mse")


def test_model_without_trainable_weights_is_refused():
    frozen = linear_model()
    frozen.trainable = False
    with pytest.raises(ValueError, match="no trainable weights"):
        probes.gradient_norms(frozen, np.ones((2, 4)), np.ones((2, 3)), loss="mse")
    flatten_only = keras.Sequential([keras.Input(shape=(2, 2)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="no trainable weights"):
        probes.activation_stats(flatten_only, np.ones((2, 2, 2)))


def test_unbuilt_model_is_refused():
    with pytest.raises(ValueError, match="not built"):
        probes.snapshot(keras.Sequential([keras.layers.Dense(2)]))


def test_probe_batch_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"shape \(5, 7\).*expects \(batch, 4\)"):
        probes.gradient_norms(linear_model(), np.ones((5, 7)), np.ones((5, 3)), loss="mse")
    with pytest.raises(ValueError, match="one label per example"):
        probes.gradient_norms(linear_model(), np.ones((5, 4)), np.ones((4, 3)), loss="mse")


@pytest.mark.parametrize("bad", [np.array([["a"] * 4] * 2), np.array([[object()] * 4] * 2),
                                 np.ones((2, 4), bool)])
def test_probe_batch_of_the_wrong_dtype_is_refused(bad):
    with pytest.raises(TypeError, match="must hold numbers"):
        probes.activation_stats(linear_model(), bad)


def test_integer_batches_are_cast_to_float():
    model = linear_model()
    stats = probes.activation_stats(model, np.full((2, 4), 200, dtype=np.uint8))  # uint8 arithmetic would wrap
    expected = (np.full((2, 4), 200.0) @ model.get_layer("dense").kernel.numpy() + model.get_layer("dense").bias.numpy())
    assert stats["dense"]["act_mean"] == pytest.approx(expected.mean(), rel=1e-6)


def test_layer_index_out_of_range_and_unknown_names_are_refused(sigmoid_stack):
    model, _, _ = sigmoid_stack
    with pytest.raises(ValueError, match=r"layer index 42 is out of range.*10 layers, indices 0..9"):
        probes.select_layers(model, [42])
    with pytest.raises(ValueError, match="no layer named 'hidden_99'.*hidden_1"):
        probes.select_layers(model, "hidden_99")
    with pytest.raises(TypeError, match="name, index or keras layer"):
        probes.select_layers(model, [1.5])


def test_missing_loss_is_reported():
    with pytest.raises(ValueError, match="not compiled with a loss.*loss="):
        probes.gradient_norms(linear_model(), np.ones((2, 4)), np.ones((2, 3)))


def test_nan_is_reported_not_raised():
    model = linear_model()
    model.get_layer("dense").bias.assign(np.full(3, np.nan, "float32"))
    norms = probes.gradient_norms(model, np.ones((2, 4)), np.ones((2, 3)), loss="mse")
    assert np.isnan(norms["dense"]["kernel"])
    m = probes.Probe(model, loss="mse").measure(np.ones((2, 4)), np.ones((2, 3)))
    assert m.first_nonfinite() == ("dense", "non-finite weights")


def test_many_probes_trace_without_tensorflow_retracing_warnings(caplog):
    """Every Probe traces its own functions once; a notebook with many of them gets no retracing warning."""
    x = np.zeros((4, 4), "float32")
    y = np.zeros((4, 3), "float32")
    with caplog.at_level("WARNING", logger="tensorflow"):
        for _ in range(7):
            probe = probes.Probe(linear_model(), loss="mean_squared_error")
            probe.forward(x)
            probe.measure(x, y)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
