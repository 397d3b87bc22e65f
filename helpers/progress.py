"""Compact training output: one line per epoch, never per-batch logs.

Keras's default progress bar writes a burst of updates per epoch that a saved
notebook keeps as hundreds of lines. Every training run in the course uses
``verbose=0`` plus :class:`EpochLine` (or :func:`fit`, which does both).
"""

import inspect
import math
import sys
import time

import keras


class EpochLine(keras.callbacks.Callback):
    """Print one short line per epoch: metrics and wall time.

    ``every`` prints only every n-th epoch (plus the last); ``label`` prefixes
    each line so several runs in one cell stay distinguishable.
    """

    def __init__(self, label=None, every=1, stream=None):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.label = label
        self.every = every
        self.stream = stream
        self._epochs = None
        self._started = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs")

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        last = self._epochs is not None and epoch + 1 == self._epochs
        if (epoch + 1) % self.every and not last:
            return
        seconds = time.perf_counter() - self._started
        width = len(str(self._epochs)) if self._epochs else 1
        parts = [f"epoch {epoch + 1:>{width}}/{self._epochs}"]
        if self.label:
            parts.insert(0, str(self.label))
        logs = logs or {}
        parts += [f"{key} {_fmt(logs[key])}" for key in sorted(logs, key=_metric_order)]
        parts.append(f"{seconds:.1f} s")
        print(" | ".join(parts), file=self.stream or sys.stdout, flush=True)


def fit(model, x=None, y=None, *, label=None, every=1, callbacks=(), **kwargs):
    """``model.fit`` with ``verbose=0`` and an :class:`EpochLine` (printing every ``every`` epochs) attached."""
    if "verbose" in kwargs:
        raise TypeError("helpers.fit always trains with verbose=0; call model.fit directly for other output")
    callbacks = [*callbacks, EpochLine(label=label, every=every)]
    build_before_fit(model, x, y)
    return model.fit(x, y, verbose=0, callbacks=callbacks, **kwargs)


def build_before_fit(model, x, y):
    """Create the optimizer's and the metrics' variables before ``fit`` traces its training step.

    Keras (TensorFlow backend) otherwise creates them inside the first trace of
    the step, and TensorFlow then traces the step a second time. For the
    course's 20-layer networks each trace takes several seconds, so this halves
    the start-up time of every ``fit``; what is computed does not change.
    Only for in-memory arrays with a compiled, built model; anything else is
    left to Keras. ``_symbolic_build`` is private (Keras's own pre-build, used
    under distribution; present with this signature from Keras 3.13, Colab's,
    to 3.15, the course's pin): a Keras without it, or whose version takes
    other arguments, gets the usual build inside ``fit``, only slower to start.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)
    if symbolic_build is None or getattr(model, "optimizer", None) is None or not model.built:
        return
    if not all(hasattr(a, "shape") and hasattr(a, "dtype") and len(a) for a in (x, y)):
        return
    try:
        parameters = inspect.signature(symbolic_build).parameters
    except (TypeError, ValueError):
        return
    if "data_batch" not in parameters:
        return
    symbolic_build(data_batch=(x[:1], y[:1], None))  # also builds the optimizer


def _metric_order(key):
    """Training metrics before validation ones, the loss first in each group."""
    validation = key.startswith("val_")
    name = key[4:] if validation else key
    return (validation, name != "loss", name)


def _fmt(value):
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.3g}"
    return f"{value:.4f}"
