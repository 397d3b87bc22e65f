"""A Keras callback that measures gradients during ``fit``.

    monitor = GradientMonitor(x_probe, y_probe, every=100)
    model.fit(x, y, callbacks=[monitor])
    monitor.record.table("kernel_grad_norm")   # step x layer, on the probe batch
    monitor.record.series("batch_grad_norm")   # every step, on the training batches
    monitor.nonfinite                          # None, or where NaN/Inf first appeared

Two different gradients are recorded. Every ``every`` steps the monitor probes
a fixed batch (the same images each time, so recordings compare like with
like): per-layer gradient, weight and activation statistics and the probe
batch's global norm. And every step it keeps the global norm of the gradient
of the training batch the optimizer actually received, before clipping
(``batch_grad_norm``): what ``clipnorm``/``global_clipnorm`` act on, and what
the Deep Learning Tuning Playbook (Godbole et al. 2023) picks a clipping
threshold from. The second costs one reduction per step inside the compiled
training step and a read every few hundred steps.

Steps count completed optimizer updates across every ``fit`` call: the
probe measurement at step ``s`` sees the weights after ``s`` updates, and
``batch_grad_norm`` at step ``s`` is the gradient that made update ``s + 1``.
Step 0 (before training) and the last step are always probed.
"""

import weakref

import keras
import numpy as np

from . import probes
from .inputs import check_batch, numeric_array
from .record import FLOAT32_SQUARABLE, Event, GradientRecord

DEFAULT_EVERY = 100
ON_NAN = ("stop", "raise", "warn")


class NonFiniteError(FloatingPointError):
    """Raised by a monitor with ``on_nan="raise"`` when NaN or Inf appears."""


class GradientMonitor(keras.callbacks.Callback):
    """Record gradients, activations and weights during ``fit``; see the module docstring.

    ``x, y``: the probe batch (a few hundred examples is plenty), checked to be
    finite before training. ``every``: probe every N optimizer steps, or
    ``"epoch"`` at each epoch end. ``loss``: defaults to the compiled loss.
    ``layers``: which layers to probe (default: those with a kernel).
    ``training``: probe in training mode (BatchNormalization uses the probe
    batch's own statistics; moving statistics are left exactly as they were).
    ``margin``: how close to an asymptote counts as saturated. ``bins``:
    histogram bins per layer and probe (``None``: no histograms).
    ``batch_norms``: record every training batch's gradient norm.

    ``on_nan`` says what happens when NaN/Inf first appears in the weights,
    activations, gradients or loss: ``"stop"`` (print one line and stop
    training, the default), ``"raise"`` (raise :class:`NonFiniteError`) or
    ``"warn"`` (print one line and train on). A gradient norm too
    large for float32 to square (above 1.8e19, where Keras's clipping computes
    inf) with every element finite is not NaN: it is noted in
    ``record.norm_overflow`` and printed once, and training goes on. NaN is
    looked for at each probe, so the step reported is the first *probed* step
    that shows it: use ``every=1`` to pin it to the exact update.

    The update:weight ratio is measured over the single update before each
    scheduled probe (with ``every="epoch"``, the epoch's last update).
    """

    def __init__(self, x, y, *, every=DEFAULT_EVERY, loss=None, layers=None, training=False,
                 margin=probes.SATURATION_MARGIN, bins=30, batch_norms=True, on_nan="stop"):
        super().__init__()
        if every != "epoch" and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"every must be a positive number of steps or 'epoch', got {every!r}")
        if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or bins < 1):
            raise ValueError(f"bins must be a positive int or None, got {bins!r}")
        if on_nan not in ON_NAN:
            raise ValueError(f"on_nan must be one of {', '.join(map(repr, ON_NAN))}, got {on_nan!r}")
        self.x = numeric_array(x, "probe batch x")
        self.y = numeric_array(y, "probe labels y")
        self.every = every
        self.loss = loss
        self.layer_spec = layers
        self.training = training
        self.margin = margin
        self.bins = bins
        self.batch_norms = batch_norms
        self.on_nan = on_nan
        self.record = GradientRecord()
        self.step = 0  # completed optimizer updates
        self.epoch = 0
        self._probe = None
        self._log = None
        self._log_count = 0  # how far this monitor has read the log
        self._log_read_at = 0
        self._compiled = None
        self._nan_seen_this_fit = False
        self._last_where = None  # (layer, what) of NaN/Inf in the last probe, or None
        self._before = None  # weight snapshot taken just before the next recorded update
        self._last_recorded = None

    @property
    def nonfinite(self):
        """The record's :class:`~helpers.record.Event` for the first NaN/Inf seen, or None."""
        return self.record.nonfinite

    @property
    def norm_overflow(self):
        """The record's :class:`~helpers.record.Event` for the first norm float32 cannot square, or None."""
        return self.record.norm_overflow

    # Keras hooks ---------------------------------------------------------

    def on_train_begin(self, logs=None):
        if getattr(self.model, "steps_per_execution", 1) != 1:
            raise ValueError("GradientMonitor counts every optimizer step, so it needs the model compiled "
                             f"with steps_per_execution=1 (this one has {self.model.steps_per_execution})")
        if self._probe is None or self._probe.model is not self.model:
            # A new model starts a new record and a new step count.
            self._probe = self._new_probe()
            self.record = GradientRecord(self._probe.names, self._probe.activations, self._probe.kernel_shapes)
            self.step, self.epoch, self._last_recorded, self._before, self._last_where = 0, 0, None, None, None
        elif self._compiled != (self.model.loss, self.model.optimizer):
            self._probe = self._new_probe()  # re-compiled: the loss may differ
        self._compiled = (self.model.loss, self.model.optimizer)
        self._log = NormLog.attach(self.model) if self.batch_norms else None
        self._log_count = self._log.count_now() if self._log is not None else 0
        self._log_read_at = self.step
        self._nan_seen_this_fit = False
        self._record()

    def _new_probe(self):
        probe = probes.Probe(self.model, self.loss, self.layer_spec, training=self.training)
        self._xy = check_batch(self.model, self.x, self.y)
        probe.loss_function()  # a missing loss fails here, before training
        return probe

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    # Only begin-of-batch hooks: a batch-end hook would make Keras wait for
    # every step's logs, which costs more than the probing itself.
    def on_train_batch_begin(self, batch, logs=None):
        if self.every != "epoch" and self.step % self.every == 0:
            self._record()
        if self._snapshot_due(batch):
            self._before = self._probe.snapshot()
        if self._log is not None and self.step - self._log_read_at >= NormLog.CAPACITY // 2:
            self._read_batch_norms()
        self.step += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.every == "epoch":
            self._record()
        self._read_batch_norms()

    def on_train_end(self, logs=None):
        self._record()

    # Bookkeeping ---------------------------------------------------------

    def _snapshot_due(self, batch):
        if self.every == "epoch":
            steps = (self.params or {}).get("steps")
            return steps is not None and batch == steps - 1
        return (self.step + 1) % self.every == 0

    def _read_batch_norms(self):
        if self._log is None:
            return
        norms, self._log_count = self._log.read(self._log_count)
        self._log_read_at = self.step
        first = self.step - len(norms)
        self.record.add((first + k, self.epoch, None, 0, "batch_grad_norm", float(v)) for k, v in enumerate(norms))
        big = np.flatnonzero(np.isfinite(norms) & (norms > FLOAT32_SQUARABLE))
        if big.size and self.record.norm_overflow is None:
            step = first + int(big[0])
            self.record.norm_overflow = Event(step, self.epoch, "(all trainable variables)",
                                              probes.overflow_words("a training batch's global gradient norm",
                                                                    norms[big[0]]))
            self._report(self.record.norm_overflow)

    def _record(self):
        if self._last_recorded == self.step:  # measured already (the end of the last fit)
            self._apply_policy(self._last_where, [])
            return
        self._last_recorded = self.step
        self._read_batch_norms()
        x, y = self._xy
        m = self._probe.measure(x, y, checked=True)
        events = m.add_to(self.record, self.step, self.epoch, before=self._before, margin=self.margin, bins=self.bins)
        self._before = None
        for event in events:
            self._report(event)
        self._last_where = m.first_nonfinite()
        self._apply_policy(self._last_where, events)

    def _apply_policy(self, where, events):
        if where is not None and not self._nan_seen_this_fit:
            # A later fit of a model that already went NaN: the policy applies again.
            self._nan_seen_this_fit = True
            if not events or events[0] is not self.record.nonfinite:
                self._report(Event(self.step, self.epoch, *where))

    def _report(self, event):
        message = f"GradientMonitor: {event}"
        if event.what.startswith("non-finite"):
            if self.on_nan == "raise":
                raise NonFiniteError(message)
            if self.on_nan == "stop":
                self.model.stop_training = True
                message += "; stopping training"
        print(message)


class NormLog:
    """Every training step's global gradient norm, kept on the device in a ring buffer.

    Attached once per optimizer: its ``apply`` (which Keras's training step
    calls with the raw gradients, before clipping) first writes the norm of
    the gradients it receives (:func:`helpers.probes.global_squared_norm`) to the
    next slot. For a ``LossScaleOptimizer`` the norm is divided by the loss
    scale of that step, so it is the norm of the unscaled gradient. Monitors
    read the buffer every few hundred steps, each from its own position, so
    the training loop never waits for it.
    """

    CAPACITY = 1024
    _attached = weakref.WeakKeyDictionary()

    def __init__(self, optimizer):
        import tensorflow as tf

        self.values = tf.Variable(tf.zeros([self.CAPACITY], tf.float64), trainable=False)
        self.count = tf.Variable(0, dtype=tf.int64, trainable=False)
        original = optimizer.apply
        scaled = isinstance(optimizer, keras.optimizers.LossScaleOptimizer)

        def apply(grads, trainable_variables=None):
            norm = tf.sqrt(probes.global_squared_norm([g for g in grads if g is not None]))
            if scaled:  # its dynamic_scale exists once the optimizer is built, at the first apply
                if not optimizer.built:
                    optimizer.build(trainable_variables)
                norm = norm / tf.cast(optimizer.dynamic_scale, tf.float64)
            self.values.scatter_nd_update([[self.count % self.CAPACITY]], [norm])
            self.count.assign_add(1)
            return original(grads, trainable_variables)

        optimizer.apply = apply

    @classmethod
    def attach(cls, model):
        """The log of ``model``'s optimizer, attached (and the training step re-made) on first use."""
        optimizer = model.optimizer
        if optimizer is None:
            raise ValueError("the model has no optimizer: compile it before training with a GradientMonitor")
        log = cls._attached.get(optimizer)
        if log is None:
            log = cls._attached[optimizer] = cls(optimizer)
            # A training step traced before the log existed would not write to it.
            model.make_train_function(force=True)
        return log

    def count_now(self):
        """How many norms were ever written: a reader starts from here."""
        return int(self.count.numpy())

    def read(self, since):
        """``(norms written since count `since`, oldest first; the count now)``."""
        count = self.count_now()
        n = count - since
        if n > self.CAPACITY:
            raise RuntimeError(f"{n} training-batch gradient norms were written since the last read, more than "
                               f"the {self.CAPACITY} the log holds; this is a bug in GradientMonitor")
        values = self.values.numpy()
        return values[np.arange(since, count) % self.CAPACITY], count
