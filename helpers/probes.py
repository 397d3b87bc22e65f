"""Measure gradients, activations and weights of a Keras model on one batch.

Everything here works outside ``fit``: give a model and a batch, get numbers.

* :func:`gradient_norms` - L2 norm of the loss gradient for each layer's
  kernel and bias, input to output.
* :func:`input_gradient_norms` - L2 norm of the gradient with respect to each
  layer's *input*: the backpropagated signal, shrinking or growing by depth.
* :func:`activation_stats` - mean, std, saturated / zero / dead fractions and a
  histogram of each layer's output.
* :func:`weight_norms`, :func:`snapshot`, :func:`update_ratios` - weight sizes
  and how far one update moved them (the update:weight ratio).
* :func:`measure` - all of the above as one tidy table.

By default the probed layers are those with a ``kernel`` (Dense, Conv, ...),
in input-to-output order; pass ``layers=`` (names, indices into
``model.layers`` or layer objects) to choose others. The forward pass runs in
inference mode (``training=False``): probing never updates BatchNormalization
statistics and never draws dropout masks.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Distance from the asymptote below which a bounded activation counts as
# saturated: sigmoid a < 0.01 or a > 0.99, tanh |a| > 0.99.
SATURATION_MARGIN = 0.01

# Output ranges of the activations that saturate.
BOUNDED = {
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
}

# Activations whose units can die: output exactly 0 for every input.
RELU_LIKE = {"relu", "relu6"}

# Columns of every tidy table this package produces.
COLUMNS = ["step", "epoch", "layer", "depth", "statistic", "value"]


# --------------------------------------------------------------------------
# Checking what callers pass in


def check_model(model):
    """Raise a clear error unless ``model`` is a built Keras model with trainable weights."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"expected a keras.Model (e.g. keras.Sequential), got {type(model).__name__}: "
            f"{_short_repr(model)}"
        )
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built yet: start it with keras.Input(shape=...) "
            "or call it once on a batch before probing it"
        )
    if not model.trainable_weights:
        raise ValueError(
            f"model {model.name!r} has no trainable weights, so it has no gradients to "
            "measure; expected at least one trainable layer (e.g. Dense)"
        )
    return model


def check_batch(model, x, y=None):
    """Return ``x`` (and ``y``) as NumPy arrays that fit ``model``, or raise.

    ``x`` must be numeric (integers are cast to the model's float dtype) with
    the model's input shape after the batch axis; ``y`` must be numeric with as
    many examples as ``x``.
    """
    x = _numeric_array(x, "probe batch x")
    expected = _input_shape(model)
    if expected is not None:
        ok = x.ndim == len(expected) and all(
            e is None or e == s for e, s in zip(expected[1:], x.shape[1:])
        )
        if not ok:
            want = "(batch, " + ", ".join("?" if e is None else str(e) for e in expected[1:]) + ")"
            raise ValueError(
                f"probe batch x has shape {x.shape}, but model {model.name!r} expects {want}"
            )
    if x.shape[0] < 1:
        raise ValueError("probe batch x is empty; expected at least one example")
    dtype = np.dtype(getattr(model, "compute_dtype", "float32") or "float32")
    x = x.astype(dtype if dtype.kind == "f" else np.float32, copy=False)
    if y is None:
        return x
    y = _numeric_array(y, "probe labels y")
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"probe labels y have shape {y.shape}; expected one label per example of x, "
            f"i.e. a first axis of length {x.shape[0]}"
        )
    return x, y


def _numeric_array(a, what):
    if callable(a) and not hasattr(a, "__array__"):
        raise TypeError(f"{what} must be an array, got a callable {_short_repr(a)}")
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{what} must be a numeric array; could not convert it: {exc}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{what} must hold numbers (float, or int to be cast to float), "
            f"got dtype {arr.dtype}"
        )
    return arr


def _input_shape(model):
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        return None
    if isinstance(shape, list):  # several inputs: not a simple chain
        return None
    return tuple(shape)


def _short_repr(obj, limit=60):
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def layer_chain(model):
    """The model's layers as one chain, each feeding the next, or a ValueError.

    Sequential models are chains; a functional model is one when every layer
    takes the previous layer's output as its only input.
    """
    import keras

    if isinstance(model, keras.Sequential):
        return list(model.layers)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    previous = model.inputs
    for layer in layers:
        # A layer shared with another model has one node per use; find this model's.
        nodes = getattr(layer, "_inbound_nodes", [])
        node = next((n for n in nodes if list(n.input_tensors) == list(previous)), None)
        if len(previous) != 1 or node is None:
            raise ValueError(
                f"model {model.name!r} is not a single chain of layers (layer {layer.name!r} "
                "does not take the previous layer's output as its only input); the per-layer "
                "probes work for Sequential models and functional models that are one chain"
            )
        previous = list(node.output_tensors)
    if len(model.outputs) != 1 or list(model.outputs) != previous:
        raise ValueError(
            f"model {model.name!r} is not a single chain of layers ending at its output"
        )
    return layers


def select_layers(model, layers=None):
    """The layers to probe, input to output.

    ``layers=None`` picks every layer with a ``kernel``. Otherwise give names,
    indices into ``model.layers`` or layer objects.
    """
    check_model(model)
    chain = layer_chain(model)
    if layers is None:
        chosen = [layer for layer in chain if getattr(layer, "kernel", None) is not None]
        if not chosen:
            raise ValueError(
                f"model {model.name!r} has no layer with a kernel (Dense, Conv, ...); "
                "pass layers=[...] to choose which layers to probe"
            )
        return chosen
    if isinstance(layers, (str, int)):
        layers = [layers]
    picked = [_resolve_layer(model, chain, spec) for spec in layers]
    if len({id(layer) for layer in picked}) != len(picked):
        raise ValueError(f"layers={layers!r} names the same layer more than once")
    # Probes are reported input to output whatever order the caller used.
    return sorted(picked, key=lambda layer: [id(c) for c in chain].index(id(layer)))


def _resolve_layer(model, chain, spec):
    import keras

    names = [layer.name for layer in model.layers]
    if isinstance(spec, bool):
        raise TypeError(f"a layer is given by name, index or object, got {spec!r}")
    if isinstance(spec, (int, np.integer)):
        n = len(model.layers)
        if not -n <= spec < n:
            raise ValueError(
                f"layer index {spec} is out of range: model {model.name!r} has {n} layers, "
                f"indices 0..{n - 1} ({', '.join(names)})"
            )
        layer = model.layers[spec]
    elif isinstance(spec, str):
        if spec not in names:
            raise ValueError(
                f"model {model.name!r} has no layer named {spec!r}; its layers are: "
                + ", ".join(names)
            )
        layer = model.get_layer(spec)
    elif isinstance(spec, keras.layers.Layer):
        layer = spec
    else:
        raise TypeError(
            f"a layer is given by name, index or keras layer object, got "
            f"{type(spec).__name__}: {_short_repr(spec)}"
        )
    if all(layer is not c for c in chain):
        raise ValueError(f"layer {layer.name!r} is not one of model {model.name!r}'s layers")
    return layer


def resolve_loss(model, loss=None):
    """A function ``(y_true, y_pred) -> scalar``: ``loss`` if given, else the compiled loss."""
    import keras

    spec = loss if loss is not None else getattr(model, "loss", None)
    if spec is None:
        raise ValueError(
            f"no loss to differentiate: model {model.name!r} is not compiled with a loss; "
            "pass loss='sparse_categorical_crossentropy' (or a keras loss object)"
        )
    if isinstance(spec, (dict, list, tuple)):
        raise ValueError(
            "the probes need a single loss for a single output, got "
            f"{type(spec).__name__}: {_short_repr(spec)}"
        )
    try:
        fn = keras.losses.get(spec)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"could not interpret loss {spec!r}: {exc}") from None
    if not callable(fn):
        raise TypeError(f"loss must be a name or a callable, got {_short_repr(spec)}")
    return lambda y_true, y_pred: keras.ops.mean(fn(y_true, y_pred))


def activation_name(layer):
    """The name of a layer's activation function ('relu', 'sigmoid', ...) or the layer's class."""
    fn = getattr(layer, "activation", None)
    if fn is not None:
        return getattr(fn, "__name__", type(fn).__name__)
    kind = type(layer).__name__
    return {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu"}.get(kind, kind.lower())


# --------------------------------------------------------------------------
# The compiled probe


class Probe:
    """One pass over a batch that measures every probed layer at once.

    ``Probe(model, loss=None, layers=None)``; then ``probe.measure(x, y)``
    returns a :class:`Measurement`. Checking happens here, once, so repeated
    measurements (the monitor's) cost only the compiled step. ``compiled=False``
    runs eagerly: cheaper for a single measurement, and many one-off probes
    then don't make TensorFlow warn about retracing.
    """

    def __init__(self, model, loss=None, layers=None, compiled=True):
        import tensorflow as tf

        self.model = check_model(model)
        self.chain = layer_chain(model)
        self.layers = select_layers(model, layers)
        self.names = [layer.name for layer in self.layers]
        self.activations = [activation_name(layer) for layer in self.layers]
        self._loss_spec = loss
        self._loss = None
        # (layer index in self.layers, weight name, variable), input to output.
        self.weights = [
            (i, v.name, v)
            for i, layer in enumerate(self.layers)
            for v in layer.trainable_weights
        ]
        # No tensor-dependent Python control flow here, so AutoGraph's source
        # conversion is skipped: it would only make the one-off tracing slower.
        if compiled:
            self._step = tf.function(self._gradient_step, reduce_retracing=True, autograph=False)
            self._forward = tf.function(self._forward_pass, reduce_retracing=True, autograph=False)
        else:
            self._step, self._forward = self._gradient_step, self._forward_pass

    @property
    def loss(self):
        if self._loss is None:
            self._loss = resolve_loss(self.model, self._loss_spec)
        return self._loss

    def _run(self, x, tape=None):
        """Forward through the chain; returns (inputs, outputs) of the probed layers and the prediction."""
        import tensorflow as tf

        probed = {id(layer) for layer in self.layers}
        inputs, outputs = [], []
        h = tf.convert_to_tensor(x)  # eager mode gets NumPy arrays; a tape watches tensors only
        for layer in self.chain:
            if id(layer) in probed:
                if tape is not None:
                    tape.watch(h)
                inputs.append(h)
            h = layer(h, training=False)
            if id(layer) in probed:
                outputs.append(h)
        return inputs, outputs, h

    def _forward_pass(self, x):
        return self._run(x)[1]

    def _gradient_step(self, x, y):
        import tensorflow as tf

        variables = [v for _, _, v in self.weights]
        with tf.GradientTape() as tape:
            inputs, outputs, prediction = self._run(x, tape)
            loss = self.loss(y, prediction)
        grads = tape.gradient(
            loss, variables + inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        weight_grads, input_grads = grads[: len(variables)], grads[len(variables):]
        # Stacked, so that reading them back costs one transfer each, not one per layer.
        return {
            "loss": loss,
            "grad_norms": tf.stack([tf.norm(g) for g in weight_grads]),
            "weight_norms": tf.stack([tf.norm(v) for v in variables]),
            "weights_finite": tf.stack([tf.reduce_all(tf.math.is_finite(v)) for v in variables]),
            "grads_finite": tf.stack([tf.reduce_all(tf.math.is_finite(g)) for g in weight_grads]),
            "input_grad_norms": tf.stack([tf.norm(g) for g in input_grads]),
            "outputs": outputs,
        }

    def forward(self, x):
        """The probed layers' outputs on ``x`` as NumPy arrays, input to output."""
        x = check_batch(self.model, x)
        return [np.asarray(a) for a in self._forward(x)]

    def measure(self, x, y, *, checked=False):
        """Measure everything on ``(x, y)``; ``checked=True`` skips re-checking the batch."""
        if not checked:
            x, y = check_batch(self.model, x, y)
        out = self._step(x, y)
        return Measurement(
            probe=self,
            loss=float(out["loss"]),
            grad_norms=out["grad_norms"].numpy().astype(np.float64),
            weight_norms=out["weight_norms"].numpy().astype(np.float64),
            weights_finite=out["weights_finite"].numpy(),
            grads_finite=out["grads_finite"].numpy(),
            input_grad_norms=out["input_grad_norms"].numpy().astype(np.float64),
            outputs=[np.asarray(a) for a in out["outputs"]],
        )

    def snapshot(self):
        """Copies of the probed weights, for :func:`update_ratios` / :meth:`Measurement.rows`."""
        return [np.array(v.numpy(), copy=True) for _, _, v in self.weights]


@dataclass
class Measurement:
    """The numbers from one :meth:`Probe.measure` call (arrays in ``probe.weights`` order)."""

    probe: Probe
    loss: float
    grad_norms: np.ndarray
    weight_norms: np.ndarray
    weights_finite: np.ndarray
    grads_finite: np.ndarray
    input_grad_norms: np.ndarray
    outputs: list

    def activation_stats(self, margin=SATURATION_MARGIN, bins=30):
        """Per probed layer, :func:`summarize_activations` of its output."""
        return [
            summarize_activations(a, act, margin=margin, bins=bins)
            for a, act in zip(self.outputs, self.probe.activations)
        ]

    def first_nonfinite(self):
        """``(layer name, what)`` of the first layer, input to output, that is not finite, or None.

        Non-finite weights are looked for first (they are the cause), then
        activations, then gradients (which turn NaN everywhere once the loss is).
        """
        probe = self.probe
        for (i, _, _), ok in zip(probe.weights, self.weights_finite):
            if not ok:
                return probe.names[i], "weights"
        for name, a in zip(probe.names, self.outputs):
            if not np.isfinite(a).all():
                return name, "activations"
        for (i, _, _), ok in zip(probe.weights, self.grads_finite):
            if not ok:
                return probe.names[i], "gradients"
        for name, norm in zip(probe.names, self.input_grad_norms):
            if not np.isfinite(norm):
                return name, "gradients"
        return None

    def rows(self, step=0, epoch=0, before=None, margin=SATURATION_MARGIN, stats=None):
        """Tidy rows ``(step, epoch, layer, depth, statistic, value)`` for this measurement.

        ``before`` is a :meth:`Probe.snapshot` taken one update earlier; with it
        the rows include each weight's update:weight ratio. ``stats``: the
        :meth:`activation_stats` already computed, if any.
        """
        probe = self.probe
        names = probe.names
        rows = []

        def add(i, statistic, value):
            rows.append((step, epoch, names[i], i + 1, statistic, float(value)))

        after = probe.snapshot() if before is not None else None
        for k, (i, wname, _) in enumerate(probe.weights):
            add(i, f"{wname}_grad_norm", self.grad_norms[k])
            add(i, f"{wname}_norm", self.weight_norms[k])
            if before is not None:
                ratio = _ratio(before[k], after[k])
                if np.isfinite(ratio):
                    add(i, f"{wname}_update_ratio", ratio)
        for i, value in enumerate(self.input_grad_norms):
            add(i, "input_grad_norm", value)
        if stats is None:
            stats = self.activation_stats(margin=margin, bins=None)
        for i, layer_stats in enumerate(stats):
            for key in ("act_mean", "act_std", "frac_saturated", "frac_zero", "frac_dead"):
                if key in layer_stats:
                    add(i, key, layer_stats[key])
        return rows


def summarize_activations(a, activation="linear", margin=SATURATION_MARGIN, bins=30):
    """Statistics of one layer's output ``a`` (examples on the first axis, units on the last).

    ``frac_saturated`` (only for sigmoid, tanh and other bounded activations)
    counts outputs within ``margin`` of an asymptote. ``frac_zero`` counts
    outputs exactly 0; ``frac_dead`` counts units that are 0 for every example.
    ``bins=None`` leaves out the histogram.
    """
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):  # exploded outputs overflow; NaN is the honest answer
        return _summarize(a, activation, margin, bins)


def _summarize(a, activation, margin, bins):
    stats = {
        "activation": activation,
        "act_mean": float(a.mean()),
        "act_std": float(a.std()),
        "frac_zero": float(np.mean(a == 0)),
        "frac_dead": float(np.mean(np.all(a.reshape(-1, a.shape[-1]) == 0, axis=0))),
    }
    if activation in BOUNDED:
        low, high = BOUNDED[activation]
        stats["frac_saturated"] = float(np.mean((a < low + margin) | (a > high - margin)))
    if bins is not None:
        finite = a[np.isfinite(a)]
        span = BOUNDED.get(activation)
        if span is None and finite.size:
            span = (float(finite.min()), float(finite.max()))
        if span is None or span[0] == span[1]:
            span = None if span is None else (span[0] - 0.5, span[1] + 0.5)
        counts, edges = np.histogram(finite, bins=bins, range=span)
        stats["histogram"] = (counts, edges)
    return stats


def _ratio(before, after):
    norm = np.linalg.norm(before)
    if norm == 0:
        return np.nan  # undefined for weights that start at zero (biases)
    return float(np.linalg.norm(after - before) / norm)


# --------------------------------------------------------------------------
# The measurements as plain functions


def gradient_norms(model, x, y, *, loss=None, layers=None):
    """``{layer: {"kernel": norm, "bias": norm}}``: L2 norm of d(loss)/d(weight), input to output.

    ``loss`` defaults to the model's compiled loss.
    """
    m = Probe(model, loss, layers, compiled=False).measure(x, y)
    out = {name: {} for name in m.probe.names}
    for (i, wname, _), norm in zip(m.probe.weights, m.grad_norms):
        out[m.probe.names[i]][wname] = float(norm)
    return out


def input_gradient_norms(model, x, y, *, loss=None, layers=None):
    """``{layer: norm}``: L2 norm of d(loss)/d(layer input), the signal backpropagated to each layer."""
    m = Probe(model, loss, layers, compiled=False).measure(x, y)
    return {name: float(v) for name, v in zip(m.probe.names, m.input_grad_norms)}


def activation_stats(model, x, *, layers=None, margin=SATURATION_MARGIN, bins=30):
    """``{layer: stats}`` for each probed layer's output on ``x``; see :func:`summarize_activations`."""
    probe = Probe(model, layers=layers, compiled=False)
    return {
        name: summarize_activations(a, act, margin=margin, bins=bins)
        for name, act, a in zip(probe.names, probe.activations, probe.forward(x))
    }


def snapshot(model, layers=None):
    """``{layer: {weight name: array copy}}`` of the probed layers' trainable weights."""
    out = {}
    for layer in select_layers(model, layers):
        out[layer.name] = {v.name: np.array(v.numpy(), copy=True) for v in layer.trainable_weights}
    return out


def weight_norms(model, layers=None):
    """``{layer: {weight name: L2 norm}}`` of the probed layers' trainable weights."""
    return {
        layer: {w: float(np.linalg.norm(a)) for w, a in weights.items()}
        for layer, weights in snapshot(model, layers).items()
    }


def update_ratios(before, after):
    """``{layer: {weight: |after - before| / |before|}}`` between two :func:`snapshot` calls.

    The rule of thumb for a healthy learning rate is a ratio near 1e-3 per
    update. Weights whose ``before`` norm is 0 (fresh biases) give NaN.
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        raise TypeError("update_ratios expects two snapshots made by helpers.probes.snapshot()")
    if before.keys() != after.keys():
        raise ValueError(
            f"the snapshots cover different layers: {sorted(before)} vs {sorted(after)}"
        )
    return {
        layer: {w: _ratio(before[layer][w], after[layer][w]) for w in before[layer]}
        for layer in before
    }


def measure(model, x, y, *, loss=None, layers=None, margin=SATURATION_MARGIN):
    """All per-layer statistics on one batch as a tidy DataFrame (step 0), like a monitor's record."""
    m = Probe(model, loss, layers, compiled=False).measure(x, y)
    return pd.DataFrame(m.rows(margin=margin), columns=COLUMNS)
