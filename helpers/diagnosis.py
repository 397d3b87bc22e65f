"""Turn a monitor's record into findings: vanishing, exploding, dying, saturation.

    findings = diagnose(monitor)
    print(findings)          # each finding with its numbers and the usual fixes

Each symptom is judged on the records taken before anything went NaN/Inf
(afterwards every statistic is garbage); a NaN is itself evidence of an
explosion. The thresholds are parameters of :func:`diagnose`:

* vanishing - the first layer's kernel gradient norm, divided by the last
  layer's, has a median below ``vanishing_ratio`` (1e-2: two orders of
  magnitude) over the run. Layers whose gradient is exactly zero or that are
  mostly dead are left out: that is dying ReLU, not vanishing.
* exploding - NaN/Inf appeared, or the probe batch's global gradient norm
  (over all trainable variables, as ``global_clipnorm`` sees it) rose
  ``explode_rises`` (3) recordings in a row and grew by ``explode_growth``
  (10x) or more along the way. A gradient norm too large for float32 to
  square (above 1.8e19: inf in Keras's clipping) while every element is
  finite is reported with it.
* dying - at the last finite recording, a ReLU-family layer has at least
  ``dead_fraction`` (0.4) of its units output zero for the whole probe batch.
* saturation - at the last finite recording, a sigmoid/tanh layer has at least
  ``saturated_fraction`` (0.5) of its outputs within the saturation margin of an
  asymptote.
"""

from dataclasses import dataclass, field

import numpy as np

from .probes import RELU_LIKE
from .record import UPDATE_RULE_OF_THUMB, source_record, times

FIXES = {
    "vanishing": (
        "ReLU-family activations (ReLU, Leaky ReLU, ELU) instead of sigmoid in deep stacks",
        "initialization matched to the activation (He for ReLU, Glorot for sigmoid/tanh)",
        "batch normalization between layers",
        "skip (residual) connections, or fewer layers",
    ),
    "exploding": (
        "a lower learning rate",
        "gradient clipping (e.g. keras.optimizers.SGD(clipnorm=1.0))",
        "initialization scaled to fan-in (He/Glorot) instead of large-variance weights",
        "batch normalization",
    ),
    "dying": (
        "Leaky ReLU, ELU or SELU instead of ReLU",
        "a lower learning rate",
        "He initialization with zero (not negative) biases",
        "batch normalization before the activation",
    ),
    "saturation": (
        "Glorot (Xavier) initialization instead of large weights",
        "inputs standardized to mean 0, std 1",
        "tanh or ReLU-family activations instead of sigmoid",
        "batch normalization",
    ),
}


@dataclass
class Finding:
    """One diagnosed symptom: its kind, a headline, the evidence (with numbers) and fixes."""

    kind: str
    headline: str
    evidence: list = field(default_factory=list)
    fixes: tuple = ()
    numbers: dict = field(default_factory=dict)

    def __str__(self):
        lines = [f"{self.kind.upper()}: {self.headline}"]
        lines += [f"  - {e}" for e in self.evidence]
        lines.append("  usual fixes: " + "; ".join(self.fixes))
        return "\n".join(lines)


class Findings(list):
    """A list of :class:`Finding` that prints readably (an empty one says so)."""

    def __str__(self):
        if not self:
            return "No finding: no vanishing, exploding, dying or saturation symptom."
        return "\n\n".join(str(f) for f in self)

    __repr__ = __str__

    @property
    def kinds(self):
        return [f.kind for f in self]


def diagnose(source, *, vanishing_ratio=1e-2, explode_growth=10.0, explode_rises=3,
             dead_fraction=0.4, saturated_fraction=0.5):
    """Findings about a :class:`GradientMonitor` (or its :class:`GradientRecord`).

    Returns a :class:`Findings` list, empty for a healthy run. See the module
    docstring for what each threshold means.
    """
    record = source_record(source)
    for name, value in [("vanishing_ratio", vanishing_ratio), ("explode_growth", explode_growth),
                        ("dead_fraction", dead_fraction), ("saturated_fraction", saturated_fraction)]:
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")
    if isinstance(explode_rises, bool) or not isinstance(explode_rises, int) or explode_rises < 1:
        raise ValueError(f"explode_rises must be a positive whole number of recordings, got {explode_rises!r}")

    # Afterwards every statistic is garbage; the NaN itself is the evidence.
    view = record if record.nonfinite is None else record.until(record.nonfinite.step)
    view.nonfinite, view.norm_overflow = record.nonfinite, record.norm_overflow
    findings = Findings()
    for check in (
        lambda: _vanishing(view, vanishing_ratio, dead_fraction),
        lambda: _exploding(view, explode_growth, explode_rises),
        lambda: _dying(view, dead_fraction),
        lambda: _saturation(view, saturated_fraction),
    ):
        finding = check()
        if finding is not None:
            findings.append(finding)
    return findings


def _table(record, statistic):
    """``record.table(statistic)``, or None where the record has no such statistic."""
    return record.table(statistic) if record.has(statistic) else None


def _last(record, statistic):
    table = _table(record, statistic)
    return None if table is None else table.iloc[-1]


def _vanishing(view, threshold, dead_fraction):
    grads = _table(view, "kernel_grad_norm")
    if grads is None:
        return None
    dead = _last(view, "frac_dead")
    eligible = [
        name for name in grads.columns
        if (grads[name] > 0).all()
        and not (_relu_like(view, name) and dead is not None and dead.get(name, 0) >= dead_fraction)
    ]
    if len(eligible) < 2:
        return None
    first, last = eligible[0], eligible[-1]
    ratios = grads[first] / grads[last]
    ratio = float(np.median(ratios))
    if not ratio < threshold:
        return None
    evidence = [
        f"{first}'s kernel gradient norm is {times(1 / ratio)} smaller than {last}'s "
        f"(median ratio {ratio:.1e} over {len(ratios)} recordings; below {threshold:g} "
        "counts as vanishing, comparable layers give about 1e-1 to 1e1)",
        f"at step {int(grads.index[-1])}: {first} {grads[first].iloc[-1]:.2e}, "
        f"{last} {grads[last].iloc[-1]:.2e}",
    ]
    updates = _table(view, "kernel_update_ratio")
    numbers = {"ratio": ratio}
    if updates is not None and first in updates and last in updates:
        u_first, u_last = float(updates[first].median()), float(updates[last].median())
        numbers.update(update_first=u_first, update_last=u_last)
        evidence.append(
            f"{first}'s weights move {u_first:.1e} of their norm per update, {last}'s "
            f"{u_last:.1e} (rule of thumb ~{UPDATE_RULE_OF_THUMB:g})"
        )
    return Finding(
        "vanishing",
        f"gradients vanish: {first} learns {times(1 / ratio)} more slowly than {last}",
        evidence, FIXES["vanishing"], numbers,
    )


def _exploding(view, growth, rises):
    nonfinite, overflow = view.nonfinite, view.norm_overflow
    norms = view.series("global_grad_norm") if view.has("global_grad_norm") else None
    run = None
    if norms is not None and len(norms) > 1:
        total = norms.to_numpy()
        run = _steepest_rise(total)
    grew = run is not None and run[1] - run[0] >= rises and total[run[1]] / total[run[0]] >= growth
    if nonfinite is None and overflow is None and not grew:
        return None
    evidence, numbers = [], {}
    if run is not None:
        start, end = run
        factor = float(total[end] / total[start])
        numbers.update(growth=factor, rises=end - start)
        evidence.append(
            f"the global gradient norm rose {end - start} recordings in a row, from "
            f"{total[start]:.2e} at step {int(norms.index[start])} to {total[end]:.2e} at "
            f"step {int(norms.index[end])} ({times(factor)}; {times(growth)} over {rises}+ "
            "rises counts as exploding, healthy runs level off or fall)"
        )
    if overflow is not None:
        numbers["norm_overflow_step"] = overflow.step
        evidence.append(f"{overflow}: clipping by a norm computed as inf gives NaN")
    if nonfinite is not None:
        numbers["nonfinite_step"] = nonfinite.step
        evidence.append(f"{nonfinite}; finite values are expected throughout")
    headline = "gradients explode: their norm grows step over step"
    if nonfinite is not None:
        headline += f" and {nonfinite.what} appeared at step {nonfinite.step}"
    return Finding("exploding", headline, evidence, FIXES["exploding"], numbers)


def _steepest_rise(values):
    """(start, end) indices of the rising run with the largest growth factor, or None."""
    best, start = None, 0
    for i in range(1, len(values) + 1):
        if i == len(values) or not values[i] > values[i - 1]:
            if i - 1 > start and values[start] > 0:
                factor = values[i - 1] / values[start]
                if best is None or factor > values[best[1]] / values[best[0]]:
                    best = (start, i - 1)
            start = i
    return best


def _dying(view, threshold):
    dead = _last(view, "frac_dead")
    if dead is None:
        return None
    step = int(_table(view, "frac_dead").index[-1])
    bad = {name: float(v) for name, v in dead.items() if _relu_like(view, name) and v >= threshold}
    if not bad:
        return None
    evidence = [
        f"{name}: {v:.0%} of its units output 0 for every probe example at step {step} "
        f"({threshold:.0%} or more counts as dying; a healthy ReLU layer has a few percent)"
        for name, v in bad.items()
    ]
    worst = max(bad, key=bad.get)
    return Finding("dying", f"ReLU units are dead: {bad[worst]:.0%} of {worst}'s units never fire",
                   evidence, FIXES["dying"], {"dead": bad})


def _saturation(view, threshold):
    sat = _last(view, "frac_saturated")
    if sat is None:
        return None
    step = int(_table(view, "frac_saturated").index[-1])
    bad = {name: float(v) for name, v in sat.items() if v >= threshold}
    if not bad:
        return None
    evidence = [
        f"{name} ({view.activations.get(name, '?')}): {v:.0%} of its outputs sit at an "
        f"asymptote at step {step} ({threshold:.0%} or more counts as saturated; "
        "a well-initialized layer has almost none)"
        for name, v in bad.items()
    ]
    worst = max(bad, key=bad.get)
    return Finding("saturation", f"activations saturate: {bad[worst]:.0%} of {worst}'s outputs "
                   "are stuck near an asymptote, where the gradient is ~0",
                   evidence, FIXES["saturation"], {"saturated": bad})


def _relu_like(view, name):
    return view.activations.get(name) in RELU_LIKE
