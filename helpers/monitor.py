"""A Keras callback that measures gradients during ``fit`` on a fixed probe batch.

    monitor = GradientMonitor(x_probe, y_probe, every=100)
    model.fit(x, y, callbacks=[monitor])
    monitor.record.frame       # tidy table: step, epoch, layer, depth, statistic, value
    monitor.nonfinite          # None, or where NaN/Inf first appeared

Steps count completed optimizer updates across every ``fit`` call: the
measurement at step ``s`` sees the weights after ``s`` updates. Step 0 (before
training) and the last step are always recorded.
"""

import functools
import warnings
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from . import probes

DEFAULT_EVERY = 100


class NonFiniteError(FloatingPointError):
    """Raised by a monitor with ``raise_on_nan=True`` when NaN or Inf appears."""


@dataclass(frozen=True)
class NonFinite:
    """Where NaN/Inf was first seen: step, epoch, layer (input-to-output first) and in what."""

    step: int
    epoch: int
    layer: str
    what: str  # "weights", "activations", "gradients" or "loss"

    def __str__(self):
        return (
            f"non-finite {self.what} first seen at step {self.step} (epoch {self.epoch}) "
            f"in layer {self.layer}"
        )


class GradientRecord:
    """What a :class:`GradientMonitor` measured: one tidy table plus histograms.

    ``frame`` has one row per (step, layer, statistic): columns ``step, epoch,
    layer, depth, statistic, value``; ``depth`` is 1 for the probed layer
    nearest the input. Statistics: ``kernel_grad_norm``, ``bias_grad_norm``,
    ``kernel_norm``, ``bias_norm``, ``kernel_update_ratio``,
    ``bias_update_ratio``, ``input_grad_norm``, ``act_mean``, ``act_std``,
    ``frac_zero``, ``frac_dead`` and, for sigmoid/tanh layers,
    ``frac_saturated``.
    """

    def __init__(self, layers=(), activations=()):
        self.layers = list(layers)
        self.activations = dict(zip(self.layers, activations))
        self.histograms = {}  # (step, layer) -> (counts, bin edges)
        self.nonfinite = None
        self._rows = []
        self._frame = None

    @classmethod
    def of(cls, model, x, y, *, loss=None, layers=None, margin=probes.SATURATION_MARGIN, bins=30, step=0):
        """A one-step record of ``model`` on ``(x, y)``, without training.

        Same statistics and histograms as a monitor records, so every view in
        :mod:`helpers.plots` works on a model as it is (at initialization, say).
        """
        probe = probes.Probe(model, loss, layers, compiled=False)
        measurement = probe.measure(x, y)
        stats = measurement.activation_stats(margin=margin, bins=bins)
        record = cls(probe.names, probe.activations)
        record.add(measurement.rows(step, 0, stats=stats))
        if bins is not None:
            for name, layer_stats in zip(probe.names, stats):
                record.histograms[(step, name)] = layer_stats["histogram"]
        return record

    def add(self, rows):
        self._rows.extend(rows)
        self._frame = None

    @property
    def frame(self):
        if self._frame is None:
            self._frame = pd.DataFrame(self._rows, columns=probes.COLUMNS)
        return self._frame

    @property
    def steps(self):
        return sorted({row[0] for row in self._rows})

    def table(self, statistic):
        """``statistic`` as a step x layer table, layers input to output."""
        df = self.frame[self.frame["statistic"] == statistic]
        if df.empty:
            raise ValueError(
                f"no {statistic!r} in this record; it has: "
                + ", ".join(sorted(self.frame["statistic"].unique()))
            )
        wide = df.pivot_table(index="step", columns="layer", values="value", aggfunc="last")
        return wide[[name for name in self.layers if name in wide.columns]]

    def __len__(self):
        return len(self._rows)

    def __repr__(self):
        steps = self.steps
        span = f"steps {steps[0]}..{steps[-1]}" if steps else "no steps yet"
        text = f"<GradientRecord: {len(steps)} measurements ({span}), layers {', '.join(self.layers)}"
        return text + (f"; {self.nonfinite}>" if self.nonfinite else ">")

    # The views live in helpers.plots; these are shortcuts to them.
    def plot_depth(self, **kwargs):
        from . import plots

        return plots.gradient_vs_depth(self, **kwargs)

    def plot_heatmap(self, **kwargs):
        from . import plots

        return plots.gradient_heatmap(self, **kwargs)

    def plot_histograms(self, **kwargs):
        from . import plots

        return plots.activation_histograms(self, **kwargs)

    def plot_fractions(self, **kwargs):
        from . import plots

        return plots.unit_fractions(self, **kwargs)

    def plot_update_ratios(self, **kwargs):
        from . import plots

        return plots.update_ratios(self, **kwargs)


def _guarded(hook):
    """Turn the monitor's own failures into one warning; training carries on."""

    @functools.wraps(hook)
    def wrapper(self, *args, **kwargs):
        if self.broken:
            return None
        try:
            return hook(self, *args, **kwargs)
        except NonFiniteError:
            raise
        except Exception as exc:  # noqa: BLE001 - bookkeeping must never end a run
            self.broken = True
            warnings.warn(
                f"GradientMonitor stopped recording at step {self.step} after an internal "
                f"error ({type(exc).__name__}: {exc}); training continues without it",
                RuntimeWarning,
                stacklevel=2,
            )
            return None

    return wrapper


class GradientMonitor(keras.callbacks.Callback):
    """Record gradients, activations and weights on a fixed probe batch during ``fit``.

    ``x, y``: the probe batch (a few hundred examples is plenty).
    ``every``: record every N optimizer steps, or ``"epoch"`` for each epoch
    end; step 0 and the final step are always recorded. ``loss``: defaults to
    the compiled loss. ``layers``: which layers to probe (default: those with a
    kernel). ``margin``: how close to an asymptote counts as saturated.
    ``bins``: histogram bins per layer and step (``None``: no histograms).
    On NaN/Inf the monitor prints one line and sets :attr:`nonfinite`;
    ``stop_on_nan`` then stops training, ``raise_on_nan`` raises
    :class:`NonFiniteError` instead. NaN is looked for at each recording, so
    the step reported is the first *recorded* step that shows it: use
    ``every=1`` to pin it to the exact update.

    The update:weight ratio is measured over the single update before each
    scheduled recording (with ``every="epoch"``, the epoch's last update, when
    Keras knows the number of steps). The monitor's own errors never stop
    ``fit``: it warns once and stops recording.
    """

    def __init__(self, x, y, *, every=DEFAULT_EVERY, loss=None, layers=None,
                 margin=probes.SATURATION_MARGIN, bins=30, stop_on_nan=True,
                 raise_on_nan=False, verbose=True):
        super().__init__()
        if every != "epoch" and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(f"every must be a positive number of steps or 'epoch', got {every!r}")
        if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or bins < 1):
            raise ValueError(f"bins must be a positive int or None, got {bins!r}")
        self.x = probes._numeric_array(x, "probe batch x")
        self.y = probes._numeric_array(y, "probe labels y")
        self.every = every
        self.loss = loss
        self.layer_spec = layers
        self.margin = margin
        self.bins = bins
        self.stop_on_nan = stop_on_nan
        self.raise_on_nan = raise_on_nan
        self.verbose = verbose
        self.record = GradientRecord()
        self.step = 0  # completed optimizer updates
        self.epoch = 0
        self.broken = False
        self._probe = None
        self._before = None  # weight snapshot taken just before the next recorded update
        self._last_recorded = None

    @property
    def nonfinite(self):
        """A :class:`NonFinite` for the first NaN/Inf seen, or None."""
        return self.record.nonfinite

    # Keras hooks ---------------------------------------------------------

    def on_train_begin(self, logs=None):
        # Bad input is the caller's error, so it is raised, not swallowed.
        if self._probe is None or self._probe.model is not self.model:
            probe = probes.Probe(self.model, self.loss, self.layer_spec)
            self._xy = probes.check_batch(self.model, self.x, self.y)
            probe.loss  # noqa: B018 - resolve it now so a missing loss fails up front
            self._probe = probe
            self.record = GradientRecord(probe.names, probe.activations)
        self._record_now()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    # Only begin-of-batch hooks: a batch-end hook would make Keras wait for
    # every step's logs, which costs more than the probing itself.
    @_guarded
    def on_train_batch_begin(self, batch, logs=None):
        if self.every != "epoch" and self.step % self.every == 0:
            self._record()
        if self._snapshot_due(batch):
            self._before = self._probe.snapshot()
        self.step += 1

    @_guarded
    def on_epoch_end(self, epoch, logs=None):
        if self.every == "epoch":
            self._record()

    @_guarded
    def on_train_end(self, logs=None):
        self._record()

    # Bookkeeping ---------------------------------------------------------

    @_guarded
    def _record_now(self):
        self._record()

    def _snapshot_due(self, batch):
        if self.every == "epoch":
            steps = (self.params or {}).get("steps")
            return steps is not None and batch == steps - 1
        return (self.step + 1) % self.every == 0

    def _record(self):
        if self._last_recorded == self.step:
            return
        self._last_recorded = self.step
        x, y = self._xy
        m = self._probe.measure(x, y, checked=True)
        stats = m.activation_stats(margin=self.margin, bins=self.bins)
        self.record.add(m.rows(self.step, self.epoch, before=self._before, stats=stats))
        self._before = None
        if self.bins is not None:
            for name, layer_stats in zip(self._probe.names, stats):
                self.record.histograms[(self.step, name)] = layer_stats["histogram"]
        if self.record.nonfinite is None:
            self._check_finite(m)

    def _check_finite(self, m):
        where = m.first_nonfinite()
        if where is None and np.isfinite(m.loss):
            return
        layer, what = where if where is not None else (self._probe.names[-1], "loss")
        self.record.nonfinite = NonFinite(self.step, self.epoch, layer, what)
        message = f"GradientMonitor: {self.record.nonfinite}"
        if self.raise_on_nan:
            raise NonFiniteError(message)
        if self.stop_on_nan:
            self.model.stop_training = True
            message += "; stopping training"
        if self.verbose:
            print(message)
