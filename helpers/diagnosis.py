"""Turn a monitor's record into findings: vanishing, exploding, dying, saturation.

    findings = diagnose(monitor)
    print(findings)          # each finding with its numbers and the fixes that fit

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

Each finding lists fixes that fit the model in the record, each one a fix
some notebook of the course measured working: the activations decide between
ReLU and initialization advice, the weights' scale at the first recording
(fan-in x mean square, against what He's, LeCun's or Glorot's initialization
gives the layer's activation) says whether the initialization is to blame,
dead units present before the first update point to the initialization and
those that died later to the step size, and a clipping threshold is taken
from the run's own gradient norms before they rose.
"""

from dataclasses import dataclass, field

import numpy as np

from .probes import BOUNDED, RELU_LIKE
from .record import UPDATE_RULE_OF_THUMB, source_record, times

# Activations whose units saturate, and what each activation's initialization
# aims for: fan-in x the weights' mean square (He's 2 for the ReLU family,
# LeCun's 1 for SELU, Glorot's 2 fan_in / (fan_in + fan_out) otherwise).
SATURATING = set(BOUNDED)
HE_FAMILY = {"relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "swish"}
# A layer's weights count as mis-scaled when fan-in x mean square is beyond
# this factor of what its activation's initialization gives.
SCALE_FACTOR = 1.8
# Percentile of the batch gradient norms that suggests a clipping threshold
# (the Deep Learning Tuning Playbook's choice; notebook 06).
CLIP_PERCENTILE = 90

@dataclass
class Finding:
    """One diagnosed symptom: its kind, a headline, the evidence (with numbers) and fixes.

    The fixes fit the model the record describes (its activations, its
    initial weight scale, when the symptom appeared), and each names the
    notebook that measured it working.
    """

    kind: str
    headline: str
    evidence: list = field(default_factory=list)
    fixes: tuple = ()
    numbers: dict = field(default_factory=dict)

    def __str__(self):
        lines = [f"{self.kind.upper()}: {self.headline}"]
        lines += [f"  - {e}" for e in self.evidence]
        if self.fixes:
            lines.append("  fixes, each measured in the notebook named:")
            lines += [f"    * {fix}" for fix in self.fixes]
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


def _vanishing(view, threshold, dead_fraction):
    if not view.has("kernel_grad_norm"):
        return None
    grads = view.table("kernel_grad_norm")
    dead = view.table("frac_dead").iloc[-1] if view.has("frac_dead") else None
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
    numbers = {"ratio": ratio}
    updates = view.table("kernel_update_ratio") if view.has("kernel_update_ratio") else None
    if updates is not None and first in updates and last in updates:
        u_first, u_last = float(updates[first].median()), float(updates[last].median())
        numbers.update(update_first=u_first, update_last=u_last)
        evidence.append(
            f"{first}'s weights move {u_first:.1e} of their norm per update, {last}'s "
            f"{u_last:.1e} (rule of thumb ~{UPDATE_RULE_OF_THUMB:g})"
        )
    scales = _weight_scales(view)
    hidden = [name for name in eligible if name in scales]
    if hidden and all(1 / SCALE_FACTOR <= scales[n][0] / scales[n][1] <= SCALE_FACTOR for n in hidden):
        initializers = " or ".join(sorted({scales[n][2] for n in hidden}))
        line = (f"every hidden layer's weights start within {SCALE_FACTOR:g}x of the scale {initializers} "
                "initialization gives their activation")
        if any(view.activations.get(n) in SATURATING for n in hidden):
            line += ("; at that scale each saturating layer's slope shrinks the gradient (sigmoid's is at most "
                     "0.25), and larger weights, which would shrink it less, saturate the units (notebook 02)")
        evidence.append(line)
    return Finding(
        "vanishing",
        f"gradients vanish: {first}'s gradient is {times(1 / ratio)} smaller than {last}'s",
        evidence, _vanishing_fixes(view, eligible), numbers,
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
    threshold = _clip_threshold(view, None if run is None else int(norms.index[run[0]]))
    if threshold is not None:
        numbers["clip_threshold"] = threshold[0]
    return Finding("exploding", headline, evidence, _exploding_fixes(view, threshold), numbers)


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
    if not view.has("frac_dead"):
        return None
    table = view.table("frac_dead")
    dead, step = table.iloc[-1], int(table.index[-1])
    bad = {name: float(v) for name, v in dead.items() if _relu_like(view, name) and v >= threshold}
    if not bad:
        return None
    evidence = [
        "share of units that output 0 for every probe example at step "
        f"{step}: {_shares(bad)} ({threshold:.0%} or more counts as dying)"
    ]
    worst = max(bad, key=bad.get)
    return Finding("dying", f"ReLU units are dead: {bad[worst]:.0%} of {worst}'s units never fire on the probe batch",
                   evidence, _dying_fixes(bad, table.iloc[0], threshold, int(table.index[0])), {"dead": bad})


def _saturation(view, threshold):
    if not view.has("frac_saturated"):
        return None
    table = view.table("frac_saturated")
    sat, step = table.iloc[-1], int(table.index[-1])
    bad = {name: float(v) for name, v in sat.items() if v >= threshold}
    if not bad:
        return None
    evidence = [
        f"share of outputs at an asymptote at step {step}: {_shares(bad, view.activations)} "
        f"({threshold:.0%} or more counts as saturated; a well-initialized layer has almost none)"
    ]
    worst = max(bad, key=bad.get)
    large = _misscaled(view, too_large=True)
    if large:
        line = f"{large}: large weights push the units' inputs far from 0"
        if any(view.activations.get(name) == "sigmoid" for name in bad):
            line += (". Glorot's scale would end the saturation (notebook 02) but, in a deep sigmoid stack, make "
                     "the gradient vanish instead (notebook 02; notebook 08, mystery B)")
        evidence.append(line)
    return Finding("saturation", f"activations saturate: {bad[worst]:.0%} of {worst}'s outputs "
                   "are stuck near an asymptote, where the gradient is ~0",
                   evidence, _saturation_fixes(view, bad, large), {"saturated": bad})


def _shares(fractions, activations=None):
    """'hidden_1 83%, hidden_2 55%' (with each layer's activation when given)."""
    return ", ".join(f"{name}{f' ({activations.get(name)})' if activations else ''} {v:.0%}"
                     for name, v in fractions.items())


def _relu_like(view, name):
    return view.activations.get(name) in RELU_LIKE


# Fixes ------------------------------------------------------------------
# Each fix names the notebook that measured it; which ones are offered depends
# on the model in the record.

def _weight_scales(view):
    """{layer: (fan-in x mean square of the kernel at the first recording, what its initialization gives, name)}.

    Only layers with a kernel and an activation whose initialization the
    course teaches; a linear layer (one feeding batch normalization, say) is
    left out, since its right scale depends on what follows it.
    """
    if not view.has("kernel_norm"):
        return {}
    first = view.table("kernel_norm").iloc[0]
    scales = {}
    for name in view.layers:
        shape, activation = view.kernel_shapes.get(name), view.activations.get(name)
        if shape is None or len(shape) < 2 or name not in first or not np.isfinite(first[name]):
            continue
        receptive = int(np.prod(shape[:-2], dtype=np.int64))
        fan_in, fan_out = receptive * shape[-2], receptive * shape[-1]
        if activation in HE_FAMILY:
            target, initializer = 2.0, "He's"
        elif activation == "selu":
            target, initializer = 1.0, "LeCun's"
        elif activation in SATURATING:
            target, initializer = 2 * fan_in / (fan_in + fan_out), "Glorot's"
        else:
            continue
        mean_square = float(first[name]) ** 2 / int(np.prod(shape, dtype=np.int64))
        scales[name] = (fan_in * mean_square, target, initializer)
    return scales


def _scale_words(scale):
    return f"{scale[2]} initialization gives {scale[1]:.2g}"


def _misscaled(view, too_large):
    """The worst layer whose weights start SCALE_FACTOR or more above (or below) their initialization's scale, as words."""
    scales = _weight_scales(view)
    off = {name: s[0] / s[1] for name, s in scales.items()
           if (s[0] / s[1] > SCALE_FACTOR if too_large else s[0] / s[1] < 1 / SCALE_FACTOR)}
    if not off:
        return None
    worst = (max if too_large else min)(off, key=off.get)
    others = f" (and {len(off) - 1} more layer{'s' if len(off) > 2 else ''})" if len(off) > 1 else ""
    return (f"{worst}'s weights start at fan-in x mean square {scales[worst][0]:.3g}{others}, where "
            f"{_scale_words(scales[worst])}")


def _activations_of(view, names):
    return sorted({view.activations.get(name) for name in names} - {None})


def _vanishing_fixes(view, layers):
    fixes = []
    small = _misscaled(view, too_large=False)
    if small:
        fixes.append(f"weights scaled to the fan-in: {small} (notebook 04: weights too small shrink the "
                     "signal by the same factor at every layer, both ways)")
    saturating = [a for a in _activations_of(view, layers) if a in SATURATING]
    if saturating:
        fixes.append(f"ReLU with He's initialization instead of {' and '.join(saturating)}: its derivative is 1 "
                     "where it is active (notebook 03: a 20-layer network's gradients stay within an order of "
                     "magnitude; notebook 08: mystery B's fix)")
        fixes.append("batch normalization between each Dense layer and its activation (notebook 05 rescues a "
                     "10-layer sigmoid network with it, notebook 12 a 20-layer one)")
        fixes.append(f"fewer layers (this network has {len(view.layers)} layers with weights; notebook 02: a 2-layer "
                     "sigmoid network learns on the budget where the 10-layer one stays at chance)")
    else:
        fixes.append("batch normalization between each Dense layer and its activation (notebook 12: it alone "
                     "carries a 20-layer network's gradient)")
    return tuple(fixes)


def _clip_threshold(view, rise_start):
    """(threshold, how many norms, which series) from the run's training-batch gradient norms before the rise, or None."""
    statistic = "batch_grad_norm" if view.has("batch_grad_norm") else "global_grad_norm"
    if not view.has(statistic):
        return None
    norms = view.series(statistic)
    if rise_start is not None:
        norms = norms[norms.index < rise_start]
    norms = norms[np.isfinite(norms)]
    if len(norms) < 10:
        return None
    return float(np.percentile(norms, CLIP_PERCENTILE)), len(norms), statistic


def _exploding_fixes(view, threshold):
    fixes = []
    large = _misscaled(view, too_large=True)
    if large:
        fixes.append(f"initialization scaled to the fan-in: {large} (notebook 03: the gradient grows with the "
                     "weights' gain, layer after layer; notebook 08: mystery D trains with He's weights)")
    fixes.append("a learning rate lower than this run's (notebook 06: weights six times He's variance that blow "
                 "up at 0.1 train at 0.01)")
    if threshold is not None:
        value, count, statistic = threshold
        source = "training-batch" if statistic == "batch_grad_norm" else "probe-batch"
        fixes.append(f"clipping by the global norm, e.g. keras.optimizers.SGD(..., global_clipnorm={value:.3g}): "
                     f"the {CLIP_PERCENTILE}th percentile of this run's {count} {source} gradient norms before the "
                     "rise (notebook 06)")
    else:
        fixes.append(f"clipping by the global norm (global_clipnorm, notebook 06) at the {CLIP_PERCENTILE}th "
                     "percentile of the gradient norms of a run that trains (record.series('batch_grad_norm')): "
                     "this run rose too soon to show its healthy level")
    fixes.append("batch normalization (notebook 05: the model with it trains at learning rate 1, where the plain "
                 "one blows up)")
    return tuple(fixes)


def _dying_fixes(bad, first, threshold, first_step):
    born_dead = [name for name in bad if first.get(name, 0) >= threshold]
    died = [name for name in bad if name not in born_dead]
    fixes = []
    if born_dead:
        fixes.append(f"He's initialization with zero biases: {_names(born_dead)} already had {threshold:.0%} or "
                     f"more dead units at step {first_step}, before training could kill them (notebook 03: "
                     "negative biases kill whole layers)")
    if died:
        fixes.append(f"a lower learning rate: {_names(died)} lost their units during training (notebook 08: "
                     "mystery A's units stay alive with Adam at 0.001 instead of 0.02)")
    fixes.append("Leaky ReLU, whose units cannot die: below 0 they still pass 0.2 of the gradient (notebook 03)")
    return tuple(fixes)


def _names(layers):
    return ", ".join(layers) if len(layers) <= 6 else f"{len(layers)} layers ({', '.join(layers[:3])}, ...)"


def _saturation_fixes(view, bad, large):
    activations = " and ".join(a for a in _activations_of(view, bad) if a in SATURATING) or "the bounded activation"
    fixes = []
    if large and any(view.activations.get(name) == "tanh" for name in bad):
        fixes.append("Glorot's initialization: with it a deep tanh network trains (notebook 02, section 4; "
                     "notebook 08, mystery C)")
    fixes.append(f"ReLU with He's initialization instead of {activations}: nothing to saturate (notebooks 03 and 08)")
    fixes.append("batch normalization between each Dense layer and its activation (notebook 05 rescues a 10-layer "
                 "sigmoid network with it)")
    return tuple(fixes)
