"""Views of a monitor's record: each function draws one figure a learner reads at a glance.

Every function takes a :class:`~helpers.record.GradientRecord` (or a
:class:`~helpers.monitor.GradientMonitor`, through its ``record``), draws on
``ax`` (a new figure if None) and returns the Axes. Titles state what the data shows, computed from
it; gradient norms and update ratios use log scales; colors are colorblind
safe (seaborn's "colorblind" palette, cividis/viridis for ordered values).
No backend is chosen here: tests and scripts use Agg, notebooks inline.
"""

import matplotlib.pyplot as plt
import numpy as np

from .probes import RELU_LIKE
from .record import UPDATE_RULE_OF_THUMB, source_record, times

LABELS = {
    "kernel_grad_norm": "kernel gradient norm ‖∂L/∂W‖₂",
    "bias_grad_norm": "bias gradient norm ‖∂L/∂b‖₂",
    "input_grad_norm": "backpropagated signal ‖∂L/∂(layer input)‖₂",
    "kernel_norm": "kernel norm ‖W‖₂",
    "kernel_update_ratio": "update:weight ratio ‖ΔW‖/‖W‖ per step",
    "bias_update_ratio": "update:weight ratio ‖Δb‖/‖b‖ per step",
}


def _palette(n):
    """Colorblind-safe colors: seaborn's "colorblind" set, or viridis when it would repeat."""
    import seaborn as sns

    if n <= 8:
        return sns.color_palette("colorblind", n_colors=max(n, 1))
    return list(plt.get_cmap("viridis")(np.linspace(0, 0.9, n)))


def _axes(ax, size=(6.4, 4.2)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _compare(first, last, a, b, what):
    """'hidden_1's gradient is 3,400x smaller than output's'."""
    if first == last:
        return f"{first}'s {what} is {a:.2e}"
    for name, value in ((first, a), (last, b)):
        if not np.isfinite(value):
            return f"{name}'s {what} is NaN/Inf"
        if value == 0:
            return f"{name}'s {what} is exactly 0: nothing flows back to it"
    if a < b:
        return f"{first}'s {what} is {times(b / a)} smaller than {last}'s"
    return f"{first}'s {what} is {times(a / b)} larger than {last}'s"


def gradient_vs_depth(source, statistic="kernel_grad_norm", steps=4, ax=None):
    """Norm by depth (log scale), one line per recorded step: does the signal shrink toward the input?

    ``steps``: how many recorded steps to draw (spread from first to last), or
    a list of steps. Use ``statistic="input_grad_norm"`` for the backpropagated signal.
    """
    table = source_record(source).table(statistic)
    chosen = _pick_steps(table.index, steps)
    ax = _axes(ax)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.85, len(chosen)))
    depth = np.arange(1, table.shape[1] + 1)
    for color, step in zip(colors, chosen):
        ax.plot(depth, table.loc[step].to_numpy(), marker="o", color=color, label=f"step {step}")
    if (table.loc[chosen].to_numpy() > 0).any():  # log of all-zero data is meaningless
        ax.set_yscale("log")
    ax.set_xticks(depth, table.columns, rotation=30 if len(depth) > 6 else 0)
    ax.set_xlabel("layer (input → output)")
    ax.set_ylabel(LABELS.get(statistic, statistic) + " (log scale)")
    last = table.loc[chosen[-1]]
    what = "backpropagated signal" if statistic == "input_grad_norm" else "gradient"
    ax.set_title(f"Step {chosen[-1]}: " + _compare(table.columns[0], table.columns[-1],
                                                  last.iloc[0], last.iloc[-1], what))
    ax.legend(title="recorded at", fontsize="small")
    return ax


def _pick_steps(index, steps):
    index = list(index)
    if isinstance(steps, int):
        if steps < 1:
            raise ValueError(f"steps must be at least 1 (how many recorded steps to draw), got {steps}")
        picks = np.unique(np.linspace(0, len(index) - 1, min(steps, len(index))).round().astype(int))
        return [index[i] for i in picks]
    missing = [s for s in steps if s not in index]
    if missing:
        raise ValueError(f"steps {missing} were not recorded; recorded steps: {index}")
    return list(steps)


def gradient_heatmap(source, statistic="kernel_grad_norm", ax=None):
    """Layer x step heatmap of log10(norm): where and when gradients vanish or explode."""
    table = source_record(source).table(statistic)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(table.to_numpy(dtype=float).T)
    logs[~np.isfinite(logs)] = np.nan
    ax = _axes(ax, size=(7.5, 0.45 * len(table.columns) + 2))
    mesh = ax.pcolormesh(np.arange(len(table.index) + 1), np.arange(len(table.columns) + 1),
                         np.ma.masked_invalid(logs), cmap="cividis", shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label=f"log10 {LABELS.get(statistic, statistic)}")
    ax.set_yticks(np.arange(len(table.columns)) + 0.5, table.columns)
    ax.invert_yaxis()  # input layer on top, as the network is usually drawn
    ticks = _pick_steps(range(len(table.index)), 8)
    ax.set_xticks(np.array(ticks) + 0.5, [str(table.index[i]) for i in ticks])
    ax.set_xlabel("training step")
    ax.set_ylabel("layer (input at top)")
    span = np.nanmax(logs[:, -1]) - np.nanmin(logs[:, -1]) if np.isfinite(logs[:, -1]).any() else np.nan
    if np.isfinite(span):
        ax.set_title(f"At step {table.index[-1]}, {statistic.replace('_', ' ')}s span "
                     f"{span:.1f} orders of magnitude across layers")
    else:
        ax.set_title(f"At step {table.index[-1]}, no layer has a finite, nonzero "
                     f"{statistic.replace('_', ' ')}")
    return ax


def activation_histograms(source, step=None, layers=None, ax=None):
    """Distribution of each layer's outputs at one step (Glorot & Bengio 2010, Fig. 6 style)."""
    record = source_record(source)
    names = record.layers
    if not record.histograms:
        raise ValueError("activation histograms need a monitor record made with bins set (the default)")
    recorded = sorted({s for s, _ in record.histograms})
    step = recorded[-1] if step is None else step
    if step not in recorded:
        raise ValueError(f"no histograms at step {step}; recorded steps: {recorded}")
    if layers is None:  # a softmax output is a distribution, not a hidden signal
        layers = [n for n in names if (step, n) in record.histograms
                  and record.activations.get(n) != "softmax"] or names
    missing = [n for n in layers if (step, n) not in record.histograms]
    if missing:
        raise ValueError(f"no histogram of {missing} at step {step}; histogrammed layers: "
                         f"{[n for n in names if (step, n) in record.histograms]}")
    ax = _axes(ax)
    for color, name in zip(_palette(len(layers)), layers):
        histogram = record.histograms[(step, name)]
        label = f"{name} ({record.activations.get(name, '?')})"
        if histogram.counts is None:  # say so in the legend rather than draw nothing silently
            ax.plot([], [], color=color, linestyle=":", label=f"{label}: {histogram.skipped}")
            continue
        total = histogram.counts.sum()
        share = histogram.counts / total if total else histogram.counts
        ax.stairs(share, histogram.edges, color=color, linewidth=1.8, label=label)
    ax.set_xlabel("activation value (layer output)")
    ax.set_ylabel("fraction of outputs per bin")
    ax.legend(fontsize="small")
    ax.set_title(_activation_title(record.frame, layers, step))
    return ax


def _activation_title(frame, layers, step):
    at = frame[(frame["step"] == step) & frame["layer"].isin(layers)]
    for statistic, words in (("frac_saturated", "sit at an asymptote"),
                             ("frac_zero", "are exactly 0")):
        values = at[at["statistic"] == statistic].set_index("layer")["value"]
        if not values.empty and values.max() > 0:
            worst = values.idxmax()
            return f"Step {step}: {values.max():.0%} of {worst}'s outputs {words}"
    return f"Step {step}: no layer's outputs are saturated or exactly 0"


def unit_fractions(source, ax=None):
    """Dead-unit (solid) and saturated-output (dashed) fractions per layer over training."""
    record = source_record(source)
    ax = _axes(ax)
    colors = dict(zip(record.layers, _palette(len(record.layers))))
    worst = None
    for statistic, style, word, phrase in (
        ("frac_dead", "-", "dead units", "units are dead"),
        ("frac_saturated", "--", "saturated outputs", "outputs are saturated"),
    ):
        if not record.has(statistic):
            continue
        table = record.table(statistic)
        if statistic == "frac_dead":  # only ReLU units can die
            table = table[[n for n in table.columns if record.activations.get(n) in RELU_LIKE]]
            if table.empty:
                continue
        for name in table.columns:
            ax.plot(table.index, 100 * table[name], style, color=colors[name], label=f"{name}: {word}")
        end = table.iloc[-1]
        if worst is None or end.max() > worst[0]:
            worst = (end.max(), end.idxmax(), phrase, table.index[-1])
    ax.set_ylim(-2, 102)
    ax.set_xlabel("training step")
    ax.set_ylabel("share of the layer (%)")
    if ax.get_lines():
        ax.legend(fontsize="small", ncol=2)
    if worst is None or worst[0] == 0:
        ax.set_title("No layer has dead units or saturated outputs")
    else:
        share, name, phrase, step = worst
        ax.set_title(f"By step {step}, {share:.0%} of {name}'s {phrase}")
    return ax


def update_ratios(source, statistic="kernel_update_ratio", ax=None):
    """Update:weight ratio per layer over training (log scale) against the 1e-3 rule of thumb."""
    table = source_record(source).table(statistic)
    ax = _axes(ax)
    for color, name in zip(_palette(table.shape[1]), table.columns):
        ax.plot(table.index, table[name], marker=".", color=color, label=name)
    ax.axhline(UPDATE_RULE_OF_THUMB, color="0.3", linestyle=":", linewidth=1.5,
               label="rule of thumb ≈ 1e-3")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(LABELS.get(statistic, statistic) + " (log scale)")
    ax.legend(fontsize="small")
    end = table.iloc[-1].replace([np.inf, -np.inf], np.nan).dropna()
    if not end.empty and (end == 0).all():
        ax.set_title(f"Step {table.index[-1]}: no layer's weights moved at all")
        return ax
    end = end[end > 0]
    if end.empty:
        ax.set_title(f"Step {table.index[-1]}: no finite update:weight ratio")
        return ax
    distance = np.log10(end / UPDATE_RULE_OF_THUMB)
    name = distance.abs().idxmax()
    factor = 10 ** abs(distance[name])
    side = "below" if distance[name] < 0 else "above"
    ax.set_title(f"Step {table.index[-1]}: {name}'s updates are {times(factor)} {side} "
                 "the 1e-3 rule of thumb")
    return ax
