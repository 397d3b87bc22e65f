"""Measure gradients, activations and weights of a Keras model on one batch.

A :class:`Probe` runs one forward and backward pass over a batch and gives a
:class:`Measurement`, which adds its rows to a
:class:`~helpers.record.GradientRecord` (``GradientRecord.of(model, x, y)``
does both). The plain functions below are views of one measurement:

* :func:`gradient_norms` - L2 norm of the loss gradient for each layer's
  kernel and bias, input to output.
* :func:`input_gradient_norms` - L2 norm of the gradient with respect to each
  layer's *input*: the backpropagated signal, shrinking or growing by depth.
* :func:`global_gradient_norm` - the norm over all trainable variables, as
  Keras's ``global_clipnorm`` sees it.
* :func:`activation_stats` - mean, std, saturated / zero / dead fractions and a
  histogram of each layer's output.
* :func:`snapshot`, :func:`update_ratios` - how far one update moved the
  weights (the update:weight ratio).

Norms are summed in float64, so they never overflow or underflow where the
elements are finite, and a norm is NaN/Inf exactly when an element is (see
:func:`squared_norms`).
By default the probed layers are those with a ``kernel`` (Dense, Conv, ...),
in input-to-output order; pass ``layers=`` (names, indices into
``model.layers`` or layer objects) to choose others. The forward pass runs in
inference mode; ``training=True`` runs it in training mode
(BatchNormalization normalizes with the batch's own statistics, dropout drops)
and then puts every non-trainable variable (moving statistics, random state)
back exactly as it was.
"""

import logging
from dataclasses import dataclass

import numpy as np

from .inputs import check_batch, check_model, layer_chain, resolve_loss, select_layers
from .record import FLOAT32_SQUARABLE, Event, Histogram

FLOAT32_TINY = float(np.finfo(np.float32).tiny)  # the smallest normal float32, 1.2e-38

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


def activation_name(layer):
    """The name of a layer's activation function ('relu', 'sigmoid', ...) or the layer's class."""
    fn = getattr(layer, "activation", None)
    if fn is not None:
        return getattr(fn, "__name__", type(fn).__name__)
    kind = type(layer).__name__
    return {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu"}.get(kind, kind.lower())


def kernel_shape(layer):
    """The shape of a layer's kernel as a tuple, or None for a layer without one."""
    kernel = getattr(layer, "kernel", None)
    return None if kernel is None else tuple(int(d) for d in kernel.shape)


def squared_norms(arrays):
    """Each array's sum of squared elements, in float64: finite exactly when its elements are.

    Exact to float64 rounding for any finite float32 (or narrower) elements: a
    finite float32 squared lies between 2e-90 and 1.2e77, so no float64 sum of
    them underflows or overflows, where float32 would overflow past a norm of
    1.8e19 and flush squares of elements below 1.1e-19 to zero. NaN/Inf in
    the result means a NaN/Inf element. The probe's norms are all computed
    here, on the host; :func:`global_squared_norm` is the same sum inside a
    compiled training step.
    """
    out = np.empty(len(arrays))
    for k, a in enumerate(arrays):
        # NumPy's own loops, not np.dot: a BLAS call leaves threads spinning
        # that slow the training it runs beside (measured: 25% for a while).
        squares = np.asarray(a).astype(np.float64)  # a copy, squared in place
        out[k] = np.square(squares, out=squares).sum()
    return out


def global_squared_norm(tensors):
    """The sum of squares of all ``tensors`` as one float64 scalar, inside a compiled step (TensorFlow ops).

    What :func:`squared_norms` sums on the host, for gradients that never
    leave the training step (the monitor's ``batch_grad_norm``). Fast path:
    one float32 reduction per tensor (rounding about 1e-7 of the value).
    Where the float32 sum is not finite, or too small to rule out squares
    flushed to zero (below n x 1.2e-38 x 2^24 for n elements), it is summed
    again in float64, exactly, as :func:`squared_norms` does.
    """
    import tensorflow as tf

    if not tensors:
        return tf.constant(0.0, tf.float64)

    # Few ops: this runs at every training step. A float32 sum that overflows is inf, and recomputed.
    fast = 2 * tf.cast(tf.add_n([tf.nn.l2_loss(tf.cast(t, tf.float32)) for t in tensors]), tf.float64)
    size = sum(int(np.prod(t.shape)) for t in tensors)
    trusted = tf.math.is_finite(fast) & (fast >= size * FLOAT32_TINY * 2.0**24)

    def exact():
        return tf.add_n([tf.reduce_sum(tf.square(tf.cast(t, tf.float64))) for t in tensors])

    return tf.cond(trusted, lambda: fast, exact)


class Probe:
    """One pass over a batch that measures every probed layer at once.

    ``Probe(model, loss=None, layers=None, training=False)``; then
    ``probe.measure(x, y)`` returns a :class:`Measurement`. Checking happens
    here, once, so repeated measurements (the monitor's) cost only the
    compiled step. ``compiled=False`` runs eagerly: cheaper for a single
    measurement, and many one-off probes then don't make TensorFlow warn
    about retracing.
    """

    def __init__(self, model, loss=None, layers=None, *, training=False, compiled=True):
        import tensorflow as tf

        self.model = check_model(model)
        self.chain = layer_chain(model)
        self.layers = select_layers(model, layers, chain=self.chain)
        self.names = [layer.name for layer in self.layers]
        self.activations = [activation_name(layer) for layer in self.layers]
        self.kernel_shapes = [kernel_shape(layer) for layer in self.layers]
        self.training = bool(training)
        self._loss_spec = loss
        self._loss = None
        self._traced = set()  # which of the two compiled functions have traced once
        # (layer index in self.layers, weight name, variable), input to output.
        self.weights = [
            (i, v.name, v) for i, layer in enumerate(self.layers) for v in layer.trainable_weights
        ]
        # Gradients are taken for every trainable variable (the global norm
        # needs them all); these are the probed ones' positions among them.
        variables = list(model.trainable_variables)
        self._positions = [next(k for k, u in enumerate(variables) if u is v) for _, _, v in self.weights]
        # No tensor-dependent Python control flow here, so AutoGraph's source
        # conversion is skipped: it would only make the one-off tracing slower.
        if compiled:
            self._step = tf.function(self._gradient_step, reduce_retracing=True, autograph=False)
            self._forward = tf.function(self._forward_pass, reduce_retracing=True, autograph=False)
        else:
            self._step, self._forward = self._gradient_step, self._forward_pass

    def loss_function(self):
        """The loss function, resolved on first use: a clear error if there is none."""
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
            h = layer(h, training=self.training)
            if id(layer) in probed:
                outputs.append(h)
        return inputs, outputs, h

    def _forward_pass(self, x):
        return self._run(x)[1]

    def _gradient_step(self, x, y):
        import tensorflow as tf

        variables = list(self.model.trainable_variables)
        with tf.GradientTape() as tape:
            inputs, outputs, prediction = self._run(x, tape)
            # As Keras's training step: the compiled loss plus the regularization losses.
            loss = self.loss_function()(y, prediction)
            if self.model.losses:
                loss = loss + tf.add_n(self.model.losses)
        grads = tape.gradient(loss, variables + inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        grads = [tf.convert_to_tensor(g) for g in grads]  # an embedding's sparse gradient, made dense
        # The tensors themselves: their norms are summed exactly on the host
        # (squared_norms), which keeps the traced graph small and quick to trace.
        return {
            "loss": loss,
            "grads": grads[: len(variables)],
            "weights": [tf.identity(v) for _, _, v in self.weights],  # read with the gradients, in one call
            "input_grads": grads[len(variables):],
            "outputs": outputs,
        }

    def _restoring(self, run):
        """``run()``; in training mode, with the model's non-trainable variables put back afterwards."""
        if not self.training:
            return run()
        saved = [(v, np.array(v.numpy(), copy=True)) for v in self.model.non_trainable_variables]
        try:
            return run()
        finally:
            for v, value in saved:
                v.assign(value)

    def forward(self, x):
        """The probed layers' outputs on ``x`` as NumPy arrays, input to output."""
        x = check_batch(self.model, x)
        return self._restoring(lambda: [np.asarray(a) for a in self._first_quietly(self._forward, x)])

    def measure(self, x, y, *, checked=False):
        """Measure everything on ``(x, y)``; ``checked=True`` skips re-checking the batch."""
        if not checked:
            x, y = check_batch(self.model, x, y)
        self.loss_function()  # a missing loss is reported before any tracing
        out = self._restoring(lambda: self._read(self._first_quietly(self._step, x, y)))
        return Measurement(probe=self, **out)

    def _first_quietly(self, step, *args):
        """Run ``step``; its first call traces it without TensorFlow's retracing warning.

        TensorFlow counts traces by the traced function's code, which every
        Probe shares, so a notebook with more than five monitors would be told
        it retraces too often although each Probe traces once, by design.
        """
        if id(step) in self._traced:
            return step(*args)
        logger = logging.getLogger("tensorflow")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            return step(*args)
        finally:
            logger.setLevel(level)
            self._traced.add(id(step))

    def _read(self, out):
        all_squares = squared_norms(out["grads"])
        grad_squares = all_squares[self._positions]
        weight_squares = squared_norms(out["weights"])
        input_grad_squares = squared_norms(out["input_grads"])
        with np.errstate(invalid="ignore"):  # NaN stays NaN
            return {
                "loss": float(out["loss"]),
                "grad_norms": np.sqrt(grad_squares),
                "weight_norms": np.sqrt(weight_squares),
                "global_grad_norm": float(np.sqrt(all_squares.sum())),
                "weights_finite": np.isfinite(weight_squares),
                "grads_finite": np.isfinite(grad_squares),
                "all_grads_finite": bool(np.isfinite(all_squares).all()),
                "input_grad_norms": np.sqrt(input_grad_squares),
                "input_grads_finite": np.isfinite(input_grad_squares),
                "outputs": [np.asarray(a) for a in out["outputs"]],
            }

    def snapshot(self):
        """Copies of the probed weights, for :meth:`Measurement.add_to`'s update ratios."""
        return [np.array(v.numpy(), copy=True) for _, _, v in self.weights]


@dataclass
class Measurement:
    """The numbers from one :meth:`Probe.measure` call (arrays in ``probe.weights`` order)."""

    probe: Probe
    loss: float
    grad_norms: np.ndarray
    weight_norms: np.ndarray
    global_grad_norm: float
    weights_finite: np.ndarray
    grads_finite: np.ndarray
    all_grads_finite: bool
    input_grad_norms: np.ndarray
    input_grads_finite: np.ndarray
    outputs: list

    def activation_stats(self, margin=SATURATION_MARGIN, bins=30):
        """Per probed layer, :func:`summarize_activations` of its output."""
        return [
            summarize_activations(a, act, margin=margin, bins=bins)
            for a, act in zip(self.outputs, self.probe.activations)
        ]

    def first_nonfinite(self):
        """``(layer name, what)`` of the first NaN/Inf element, input to output, or None.

        Decided from the elements, never from a norm. Non-finite weights are
        looked for first (they are the cause), then activations, then
        gradients (which turn NaN everywhere once the loss is), then the loss.
        """
        names, weights = self.probe.names, self.probe.weights
        for (i, _, _), ok in zip(weights, self.weights_finite):
            if not ok:
                return names[i], "non-finite weights"
        for name, a in zip(names, self.outputs):
            if not np.isfinite(a).all():
                return name, "non-finite activations"
        for (i, _, _), ok in zip(weights, self.grads_finite):
            if not ok:
                return names[i], "non-finite gradients"
        for name, ok in zip(names, self.input_grads_finite):
            if not ok:
                return name, "non-finite gradients"
        if not self.all_grads_finite:
            return "(a layer not probed)", "non-finite gradients"
        if not np.isfinite(self.loss):
            return names[-1], "non-finite loss"
        return None

    def first_norm_overflow(self):
        """``(layer name, what)`` of the first gradient norm too large for float32 to square, or None.

        Only where every element is finite: such a norm (above about 1.8e19)
        is exact here (float64), but Keras's ``clipnorm`` and
        ``global_clipnorm`` compute it in float32 as sqrt(sum of squares),
        where it is inf, and clipping by it gives NaN.
        """
        if self.first_nonfinite() is not None:
            return None
        for (i, wname, _), norm in zip(self.probe.weights, self.grad_norms):
            if norm > FLOAT32_SQUARABLE:
                return self.probe.names[i], overflow_words(f"a {wname} gradient norm", norm)
        if self.global_grad_norm > FLOAT32_SQUARABLE:
            return "(all trainable variables)", overflow_words("a global gradient norm", self.global_grad_norm)
        return None

    def add_to(self, record, step=0, epoch=0, *, before=None, margin=SATURATION_MARGIN, bins=None):
        """Add this measurement's rows (and histograms, if ``bins``) to ``record``.

        ``before`` is a :meth:`Probe.snapshot` taken one update earlier; with it
        the rows include each weight's update:weight ratio. The first NaN/Inf
        and the first float32 norm overflow are noted on the record. Returns
        the :class:`~helpers.record.Event` objects noted by this call.
        """
        probe = self.probe
        names = probe.names
        rows = [(step, epoch, None, 0, "loss", self.loss),
                (step, epoch, None, 0, "global_grad_norm", self.global_grad_norm)]

        def add(i, statistic, value):
            rows.append((step, epoch, names[i], i + 1, statistic, float(value)))

        after = probe.snapshot() if before is not None else None
        for k, (i, wname, _) in enumerate(probe.weights):
            add(i, f"{wname}_grad_norm", self.grad_norms[k])
            add(i, f"{wname}_norm", self.weight_norms[k])
            if before is not None:
                ratio = update_ratio(before[k], after[k])
                if np.isfinite(ratio):  # undefined for weights that were 0 or not finite
                    add(i, f"{wname}_update_ratio", ratio)
        for i, value in enumerate(self.input_grad_norms):
            add(i, "input_grad_norm", value)
        stats = self.activation_stats(margin=margin, bins=bins)
        for i, layer_stats in enumerate(stats):
            for key in ("act_mean", "act_std", "frac_saturated", "frac_zero", "frac_dead"):
                if key in layer_stats:
                    add(i, key, layer_stats[key])
            if bins is not None:
                record.histograms[(step, names[i])] = layer_stats["histogram"]
        record.add(rows)
        events = []
        for attribute, where in (("nonfinite", self.first_nonfinite()), ("norm_overflow", self.first_norm_overflow())):
            if where is not None and getattr(record, attribute) is None:
                setattr(record, attribute, Event(step, epoch, *where))
                events.append(getattr(record, attribute))
        return events


def summarize_activations(a, activation="linear", margin=SATURATION_MARGIN, bins=30):
    """Statistics of one layer's output ``a`` (examples on the first axis, units on the last).

    ``frac_saturated`` (only for sigmoid, tanh and other bounded activations)
    counts outputs within ``margin`` of an asymptote. ``frac_zero`` counts
    outputs exactly 0; ``frac_dead`` counts units that are 0 for every example.
    ``histogram`` is a :class:`~helpers.record.Histogram` of the finite outputs
    (``bins=None`` leaves it out).
    """
    a = np.asarray(a)
    all_finite = bool(np.isfinite(a).all())
    with np.errstate(invalid="ignore"):  # NaN/Inf outputs give a NaN/Inf mean: the honest answer
        mean, std = float(a.mean(dtype=np.float64)), float(a.std(dtype=np.float64))
    stats = {
        "activation": activation,
        "act_mean": mean,
        "act_std": std,
        "frac_zero": float(np.mean(a == 0)),
        "frac_dead": float(np.mean(np.all(a.reshape(-1, a.shape[-1]) == 0, axis=0))),
    }
    if activation in BOUNDED:
        low, high = BOUNDED[activation]
        stats["frac_saturated"] = float(np.mean((a < low + margin) | (a > high - margin)))
    if bins is not None:
        finite = a if all_finite else a[np.isfinite(a)]
        stats["histogram"] = histogram(finite.astype(np.float64), bins, BOUNDED.get(activation), a.size)
    return stats


def histogram(finite, bins, span, total):
    """A :class:`Histogram` of ``finite`` values over ``span`` (default: their own range, widened if constant)."""
    if not finite.size:
        return Histogram(skipped=f"not histogrammed: none of the {total} outputs is finite")
    if span is None:
        low, high = float(finite.min()), float(finite.max())
        # A constant (or nearly constant) layer gets a window around its value,
        # wide enough for float64 to tell the bin edges apart at any magnitude.
        pad = max(0.5, 1e-3 * max(abs(low), abs(high))) if high - low <= 1e-9 * max(abs(low), abs(high), 1) else 0
        span = (low - pad, high + pad)
    if not np.isfinite(span[1] - span[0]):
        return Histogram(skipped=f"not histogrammed: the outputs span {span[0]:.3g} to {span[1]:.3g}, "
                                 "beyond float64's range")
    counts, edges = np.histogram(finite, bins=bins, range=span)
    return Histogram(counts, edges)


def overflow_words(which, norm):
    """'a kernel gradient norm above 1.8e19 (2.04e+19: ...)': what a norm_overflow event says."""
    return (f"{which} above 1.8e19 ({norm:.2e}; every element finite, but float32 overflows "
            "squaring it, as Keras's clipnorm and global_clipnorm do)")


def update_ratio(before, after):
    """``|after - before| / |before|``, squares summed in float64; NaN when ``before`` is all zeros (fresh biases)."""
    before, after = np.asarray(before), np.asarray(after)
    with np.errstate(invalid="ignore", over="ignore"):  # non-finite weights: NaN, reported elsewhere
        squared = np.square(before, dtype=np.float64).sum()
        if squared == 0 or not np.isfinite(squared):
            return np.nan
        # The difference in the weights' own precision (float32 rounds it by at most 6e-8 of
        # itself), unless it overflows there.
        moved = np.square(after - before, dtype=np.float64).sum()
        if not np.isfinite(moved):
            moved = np.square(np.subtract(after, before, dtype=np.float64)).sum()
    return float(np.sqrt(moved / squared))


# --------------------------------------------------------------------------
# The measurements as plain functions


def gradient_norms(model, x, y, *, loss=None, layers=None, training=False):
    """``{layer: {"kernel": norm, "bias": norm}}``: L2 norm of d(loss)/d(weight), input to output.

    ``loss`` defaults to the model's compiled loss.
    """
    m = Probe(model, loss, layers, training=training, compiled=False).measure(x, y)
    out = {name: {} for name in m.probe.names}
    for (i, wname, _), norm in zip(m.probe.weights, m.grad_norms):
        out[m.probe.names[i]][wname] = float(norm)
    return out


def input_gradient_norms(model, x, y, *, loss=None, layers=None, training=False):
    """``{layer: norm}``: L2 norm of d(loss)/d(layer input), the signal backpropagated to each layer."""
    m = Probe(model, loss, layers, training=training, compiled=False).measure(x, y)
    return {name: float(v) for name, v in zip(m.probe.names, m.input_grad_norms)}


def global_gradient_norm(model, x, y, *, loss=None, training=False):
    """The L2 norm of d(loss)/d(every trainable variable): what ``global_clipnorm`` compares with its threshold."""
    return Probe(model, loss, training=training, compiled=False).measure(x, y).global_grad_norm


def activation_stats(model, x, *, layers=None, margin=SATURATION_MARGIN, bins=30, training=False):
    """``{layer: stats}`` for each probed layer's output on ``x``; see :func:`summarize_activations`."""
    probe = Probe(model, layers=layers, training=training, compiled=False)
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


def update_ratios(before, after):
    """``{layer: {weight: |after - before| / |before|}}`` between two :func:`snapshot` calls.

    The rule of thumb for a healthy learning rate is a ratio near 1e-3 per
    update. Weights whose ``before`` norm is 0 (fresh biases) give NaN.
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        raise TypeError("update_ratios expects two snapshots made by helpers.probes.snapshot()")
    if before.keys() != after.keys():
        raise ValueError(f"the snapshots cover different layers: {sorted(before)} vs {sorted(after)}")
    return {
        layer: {w: update_ratio(before[layer][w], after[layer][w]) for w in before[layer]}
        for layer in before
    }
