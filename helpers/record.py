"""One record of measurements: what the probes produce and the monitor accumulates.

Every measurement is a row ``(step, epoch, layer, depth, statistic, value)``.
Per-layer statistics (``kernel_grad_norm``, ``act_std``, ...) have a layer and
its depth (1 nearest the input); model-wide statistics have ``layer=None`` and
depth 0:

* ``loss`` - the loss on the probe batch.
* ``global_grad_norm`` - the L2 norm of the probe batch's gradient over *all*
  trainable variables, as Keras's ``global_clipnorm`` defines it.
* ``batch_grad_norm`` - the same norm of the gradient of the *training batch*
  the optimizer received at that step, before any clipping (recorded by a
  monitor every step; it is what practitioners log and clip).

Views: :meth:`GradientRecord.table` (a per-layer statistic as a step x layer
table), :meth:`GradientRecord.series` (a model-wide statistic by step) and
:meth:`GradientRecord.until` (the part before a step); :mod:`helpers.plots`
and :func:`helpers.diagnose` read records through these.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = ["step", "epoch", "layer", "depth", "statistic", "value"]
MODEL_WIDE = ("loss", "global_grad_norm", "batch_grad_norm")

# The largest float32, and the largest norm whose square float32 holds: a norm
# computed in float32 as sqrt(sum of squares), as Keras's clipnorm and
# global_clipnorm do, is inf beyond about 1.8e19 even with every element finite.
FLOAT32_MAX = float(np.finfo(np.float32).max)
FLOAT32_SQUARABLE = float(np.sqrt(FLOAT32_MAX))

# A healthy update moves a weight matrix by about 1e-3 of its norm per step (a rule of thumb).
UPDATE_RULE_OF_THUMB = 1e-3


def times(factor):
    """A ratio for a reader: '3.4x', '3,400x', '3.4e+05x'."""
    if factor >= 1e5:
        return f"{factor:.1e}x"
    return f"{factor:,.0f}x" if factor >= 10 else f"{factor:.1f}x"


@dataclass(frozen=True)
class Histogram:
    """One layer's output distribution at one step; ``counts`` is None when ``skipped`` says why."""

    counts: np.ndarray = None
    edges: np.ndarray = None
    skipped: str = None


@dataclass(frozen=True)
class Event:
    """Where something was first seen: step, epoch, layer (input-to-output first) and what."""

    step: int
    epoch: int
    layer: str
    what: str

    def __str__(self):
        return f"{self.what} first seen at step {self.step} (epoch {self.epoch}) in layer {self.layer}"


class GradientRecord:
    """Rows of measurements plus activation histograms; see the module docstring.

    ``nonfinite``: an :class:`Event` for the first NaN/Inf element seen
    (``what`` is "non-finite weights", "non-finite activations", "non-finite
    gradients" or "non-finite loss"), or None. ``norm_overflow``: an
    :class:`Event` for the first weight or global gradient norm whose square
    is beyond float32's range (norm > 1.8e19) while every element was finite,
    or None: exact here, but inf in Keras's clipping.
    """

    def __init__(self, layers=(), activations=(), kernel_shapes=()):
        self.layers = list(layers)
        self.activations = dict(zip(self.layers, activations))
        self.kernel_shapes = dict(zip(self.layers, kernel_shapes))  # layer -> kernel shape, or None
        self.histograms = {}  # (step, layer) -> Histogram
        self.nonfinite = None
        self.norm_overflow = None
        self._rows = []
        self._frame = None

    @classmethod
    def of(cls, model, x, y, *, loss=None, layers=None, training=False, bins=30, step=0):
        """A one-step record of ``model`` on ``(x, y)``, without training.

        Same statistics and histograms as a monitor records, so every view in
        :mod:`helpers.plots` works on a model as it is (at initialization, say).
        """
        from .probes import Probe

        probe = Probe(model, loss, layers, training=training, compiled=False)
        record = cls(probe.names, probe.activations, probe.kernel_shapes)
        probe.measure(x, y).add_to(record, step=step, bins=bins)
        return record

    def add(self, rows):
        """Append rows ``(step, epoch, layer, depth, statistic, value)``."""
        self._rows.extend(rows)
        self._frame = None

    @property
    def frame(self):
        """All rows as a tidy DataFrame with :data:`COLUMNS`."""
        if self._frame is None:
            self._frame = pd.DataFrame(self._rows, columns=COLUMNS)
        return self._frame

    @property
    def steps(self):
        """The steps with a probe measurement (a training batch's norm alone does not count)."""
        return sorted({row[0] for row in self._rows if row[4] != "batch_grad_norm"})

    @property
    def statistics(self):
        return sorted({row[4] for row in self._rows})

    def _select(self, statistic):
        frame = self.frame
        selected = frame[frame["statistic"] == statistic]
        if selected.empty:
            raise ValueError(f"no {statistic!r} in this record; it has: {', '.join(self.statistics) or 'nothing'}")
        return selected

    def table(self, statistic):
        """A per-layer ``statistic`` as a step x layer table, layers input to output."""
        if statistic in MODEL_WIDE:
            raise ValueError(f"{statistic!r} is model-wide, not per layer: use record.series({statistic!r})")
        wide = self._select(statistic).pivot_table(index="step", columns="layer", values="value", aggfunc="last")
        return wide[[name for name in self.layers if name in wide.columns]]

    def series(self, statistic):
        """A model-wide ``statistic`` (loss, global_grad_norm, batch_grad_norm) by step."""
        if statistic not in MODEL_WIDE:
            raise ValueError(f"{statistic!r} is per layer: use record.table({statistic!r}); "
                             f"model-wide statistics are {', '.join(MODEL_WIDE)}")
        return self._select(statistic).set_index("step")["value"].rename(statistic)

    def has(self, statistic):
        return any(row[4] == statistic for row in self._rows)

    def until(self, step):
        """A new record with only what was measured before ``step`` (histograms included)."""
        part = GradientRecord(self.layers, [self.activations.get(n) for n in self.layers],
                              [self.kernel_shapes.get(n) for n in self.layers])
        part.add(row for row in self._rows if row[0] < step)
        part.histograms = {key: h for key, h in self.histograms.items() if key[0] < step}
        return part

    def __len__(self):
        return len(self._rows)

    def __repr__(self):
        steps = self.steps
        span = f"steps {steps[0]}..{steps[-1]}" if steps else "no steps yet"
        text = f"<GradientRecord: {len(steps)} measurements ({span}), layers {', '.join(self.layers)}"
        notes = [str(event) for event in (self.nonfinite, self.norm_overflow) if event is not None]
        return text + "".join(f"; {note}" for note in notes) + ">"


def source_record(source):
    """The record of a monitor (its ``.record``) or a record itself; anything else is refused."""
    record = getattr(source, "record", source)
    if not isinstance(record, GradientRecord):
        raise TypeError(f"expected a GradientMonitor or a GradientRecord, got {type(source).__name__}")
    if len(record) == 0:
        raise ValueError("the record is empty: measure or train with the monitor first")
    return record
