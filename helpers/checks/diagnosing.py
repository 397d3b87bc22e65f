"""Checks for notebook 08's exercises (diagnosing a training run)."""

import math

import numpy as np
import pandas as pd

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable


def _gradient_table():
    """A small step x layer table of kernel gradient norms where the usual slips give different numbers.

    The first layer's gradient is far below the last one's; one recorded step has a
    spike (so mean and median differ), the last step is not typical of the run, and
    the median of the ratios differs from the ratio of the medians.
    """
    first = np.array([1.0e-5, 2.0e-5, 4.0e-3, 3.0e-5, 8.0e-5])
    second_last = np.array([2.0e-2, 2.5e-2, 3.0e-2, 2.0e-2, 1.0e-2])
    last = np.array([1.0e-1, 4.0e-1, 2.0e-1, 5.0e-2, 1.0e-1])
    middle = np.sqrt(first * second_last)
    return pd.DataFrame({"hidden_1": first, "hidden_2": middle, "hidden_3": second_last, "output": last},
                        index=pd.Index([0, 2, 4, 6, 8], name="step"))


def check_vanishing_ratio(vanishing_ratio):
    """Exercise 1: median over steps of (first layer's gradient norm / last layer's)."""
    require_callable(vanishing_ratio, "vanishing_ratio")
    table = _gradient_table()
    answer = call(vanishing_ratio, "vanishing_ratio",
                  "It receives a pandas DataFrame: steps as rows, layers as columns (input to output). "
                  "`grads.iloc[:, 0]` is the first layer's column, `grads.iloc[:, -1]` the last one's.", table.copy())
    value = as_array(answer, "vanishing_ratio(grads)", "Return a single number, e.g. with float(...).")
    require(value.shape == (), f"vanishing_ratio returned an array of shape {value.shape}, not one number.",
            "Take the median over the steps, so that one number comes back (float(...) of it).")
    first, last = table.iloc[:, 0], table.iloc[:, -1]
    expected = float((first / last).median())
    if math.isclose(float(value), float((last / first).median()), rel_tol=1e-6):
        fail("this is the last layer over the first: a large number for a vanishing network.",
             "Divide the first layer's norm by the last layer's, so that vanishing gives a small ratio.")
    if math.isclose(float(value), float((first / last).mean()), rel_tol=1e-6):
        fail("this is the mean over the steps; one spike pulls it far from the typical step.",
             "Use the median over the steps, as diagnose does: .median()")
    if math.isclose(float(value), float(first.iloc[-1] / last.iloc[-1]), rel_tol=1e-6):
        fail("this uses the last recorded step only.", "Take the ratio at every recorded step, then their median.")
    if math.isclose(float(value), float((first / table.iloc[:, -2]).median()), rel_tol=1e-6):
        fail("this divides by the last *hidden* layer; the last column is the output layer.",
             "Use the table's last column, grads.iloc[:, -1], whatever its name.")
    if math.isclose(float(value), float(first.median() / last.median()), rel_tol=1e-6):
        fail("this divides the two medians; diagnose takes the median of the step-by-step ratios.",
             "Divide the columns first (one ratio per step), then take the median.")
    require(math.isclose(float(value), expected, rel_tol=1e-6),
            f"vanishing_ratio gives {float(value):.4g} on a test table: {how_far(float(value), expected)}.",
            "Per step: first layer's norm / last layer's norm; then the median over the steps.")
    passed(f"the median of first/last is {expected:.1e} on the test table: below 1e-2, so diagnose would call it vanishing.")


def check_weight_decay(shrink_per_step, steps_to_halve, learning_rate=0.01, l2=0.01):
    """Exercise 2: one SGD step multiplies a weight by 1 - 2*eta*lambda; halving takes log(1/2)/log(that)."""
    shrink = as_number(shrink_per_step, "shrink_per_step")
    steps = as_number(steps_to_halve, "steps_to_halve")
    factor = 1 - 2 * learning_rate * l2
    if math.isclose(shrink, 1 - learning_rate * l2, rel_tol=1e-9):
        fail(f"shrink_per_step is {shrink:g}: the factor 2 is missing.",
             "Differentiate the penalty lambda * w**2: the square brings down a factor of 2.")
    if math.isclose(shrink, 2 * learning_rate * l2, rel_tol=1e-9) or math.isclose(shrink, learning_rate * l2, rel_tol=1e-9):
        fail(f"shrink_per_step = {shrink:g} is the fraction a step removes, not the factor that is left.",
             "shrink_per_step is what is *left* of a weight after one step, w_new / w: the factor is close to 1.")
    require(math.isclose(shrink, factor, rel_tol=1e-9), f"shrink_per_step is {shrink:g}: {how_far(shrink, factor)}.",
            "Write one SGD step, w_new = w - eta * dL/dw, for a loss that is only the penalty lambda * w**2, and factor out w.")
    expected = math.log(0.5) / math.log(factor)
    if math.isclose(steps, 0.5 / (1 - factor), rel_tol=1e-3):
        fail(f"{steps:,.0f} steps assumes the weight loses the same amount every step.",
             "Each step removes a fraction of what is left: solve shrink_per_step ** n = 0.5 with logarithms.")
    if steps < 0:
        fail("steps_to_halve is negative.",
             "log(0.5) and log(shrink_per_step) are both negative, so n in shrink_per_step ** n = 0.5 is positive: check the signs.")
    if math.isclose(steps, math.log10(0.5) / math.log(factor), rel_tol=1e-3) or \
            math.isclose(steps, math.log(0.5) / math.log10(factor), rel_tol=1e-3):
        fail(f"steps_to_halve is {steps:,.1f}: it mixes a base-10 and a natural logarithm.",
             "Take the same logarithm of both sides of shrink_per_step ** n = 0.5.")
    require(math.isclose(steps, expected, rel_tol=1e-3) or math.isclose(steps, math.ceil(expected), rel_tol=1e-3),
            f"steps_to_halve is {steps:,.1f}: {how_far(steps, expected)}.",
            "Solve shrink_per_step ** n = 0.5 for n: take the logarithm of both sides.")
    passed(f"about {expected:,.0f} steps to halve a weight: far too slow to stop a blow-up that takes a handful of steps.")


ROOT_CAUSES = ("vanishing", "exploding", "dying", "saturation", "healthy")


def check_mystery_e(mystery_e):
    """Exercise 3: mystery E (sigmoid with N(0, 1) weights) is saturated at initialization, not vanishing."""
    require(isinstance(mystery_e, str), f"mystery_e has type {type(mystery_e).__name__}; it should be a string.",
            f"Set it to one of {', '.join(repr(c) for c in ROOT_CAUSES)}.")
    answer = mystery_e.strip().lower()
    answer = {"saturated": "saturation", "vanishing gradients": "vanishing", "exploding gradients": "exploding",
              "dead": "dying", "dying relu": "dying"}.get(answer, answer)
    require(answer in ROOT_CAUSES, f"{mystery_e!r} is not one of the names used here.",
            f"Choose one of {', '.join(repr(c) for c in ROOT_CAUSES)}.")
    if answer == "vanishing":
        fail("diagnose(record_e) finds no vanishing: hidden_1's gradient is far closer to the output layer's "
             "than in mystery B, whose gradient does vanish.",
             "Compare record_e.table('kernel_grad_norm') for hidden_1 and the output layer with B's, then read "
             "what else diagnose(record_e) reports at initialization.")
    if answer == "dying":
        fail("E has no ReLU units, so none can die: a unit dies when ReLU's gradient is 0 for every input.",
             "Check which activation E's hidden layers use (each Dense layer's .activation), "
             "then read what diagnose(record_e) reports.")
    if answer == "exploding":
        fail("nothing grows without bound in E at initialization: its gradient norms do not rise toward the input "
             "by orders of magnitude.",
             "Compare record_e.table('kernel_grad_norm') across the layers, then read what diagnose(record_e) reports.")
    if answer == "healthy":
        fail("E is not healthy: diagnose(record_e) finds a problem at initialization.",
             "Read diagnose(record_e)'s report, and compare plots.activation_histograms(record_e) with a healthy "
             "model's histograms.")
    passed("E's N(0, 1) weights put the sigmoid's inputs far from 0, so most of hidden_1's outputs sit at 0 or 1, "
           "where the derivative is ~0: saturation. Its gradient shrinks toward the input far less than B's, though. "
           "Glorot's scale would end the saturation and turn E into mystery B, whose gradient vanishes; ReLU with "
           "He's weights, B's fix, removes both.")
