"""Checks for notebook 06's exercises (gradient clipping)."""

import numpy as np

from .core import as_array, as_number, call, fail, how_far, passed, require, require_callable


def _reference_clip(gradients, threshold):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in gradients))
    return [g * (threshold / max(norm, threshold)) for g in gradients]


def _call(clip, gradients, threshold):
    result = call(clip, "clip_by_global_norm", "It receives a list of NumPy arrays of different shapes and a float, and returns a list.",
                  [g.copy() for g in gradients], threshold)
    require(isinstance(result, (list, tuple)), f"clip_by_global_norm returned a {type(result).__name__}, not a list.",
            "Return one clipped array per input array, in a list, so each can go back to its own variable.")
    require(len(result) == len(gradients), f"clip_by_global_norm returned {len(result)} arrays for {len(gradients)} gradients.",
            "Return exactly one array per gradient, in the same order.")
    arrays = [as_array(r, f"clipped gradient {i}") for i, r in enumerate(result)]
    for i, (got, g) in enumerate(zip(arrays, gradients)):
        require(got.shape == g.shape, f"clipped gradient {i} has shape {got.shape}; it should keep the shape {g.shape}.",
                "Scale each array; do not flatten or concatenate the result.")
    return arrays


def _close(arrays, expected):
    return all(np.allclose(a, e, rtol=1e-6, atol=1e-12) for a, e in zip(arrays, expected))


def _whole_norm(arrays):
    with np.errstate(all="ignore"):  # the learner's arrays may hold inf, NaN or huge values
        return float(np.sqrt(sum(np.sum(np.square(a)) for a in arrays)))


def check_clip_by_global_norm(clip_by_global_norm):
    """Exercise 1: clip a list of gradients as one vector to norm <= threshold."""
    require_callable(clip_by_global_norm, "clip_by_global_norm")
    rng = np.random.default_rng(6)
    large = [rng.normal(size=(3, 4)), np.array([0.9, -100.0]), rng.normal(size=5)]  # whole norm ~100
    threshold = 1.0
    got = _call(clip_by_global_norm, large, threshold)
    expected = _reference_clip(large, threshold)
    if not _close(got, expected):
        per_variable = [g * threshold / max(np.linalg.norm(g), threshold) for g in large]
        if _close(got, per_variable):
            fail("each array was clipped to the threshold on its own: that is Keras's clipnorm, not the global rule.",
                 "Compute ONE norm over all the arrays together: sqrt(sum of every array's squared entries).")
        if _close(got, [np.clip(g, -threshold, threshold) for g in large]):
            fail("the components were clipped one by one: that is clipping by value.",
                 "Rescale every array by the same factor when the whole norm is too large, so that the direction is kept.")
        summed = sum(np.linalg.norm(g) for g in large)
        if _close(got, [g * threshold / summed for g in large]):
            fail("the whole norm was computed as the sum of the arrays' norms.",
                 "The norm of all the entries together is the square root of the sum of *all* their squares, "
                 "not the sum of the arrays' norms.")
        length = _whole_norm(got)
        require(np.isfinite(length), "the clipped gradients have NaN or infinite entries.",
                "Check for a division by zero: the whole norm of these gradients is far from 0.")
        if np.isclose(length, threshold, rtol=1e-6):
            fail("the clipped gradients have the right whole norm but point another way: "
                 "the arrays were not all scaled by the same factor.",
                 "Rescale every array by one common factor, so that the direction of the whole gradient is kept.")
        fail(f"the clipped gradients have whole norm {length:.6g}; clipping should bring it to the threshold, {threshold:g}.",
             "When the whole norm is above the threshold, scale all the arrays by the one factor that makes it equal the threshold.")
    small = [g * 1e-3 for g in large]  # whole norm ~0.1, below the threshold
    got_small = _call(clip_by_global_norm, small, threshold)
    if not _close(got_small, small):
        small_norm = _whole_norm(small)
        if _close(got_small, [g * threshold / small_norm for g in small]):
            fail("gradients already shorter than the threshold were stretched up to it.",
                 "Clipping only ever shrinks: leave the gradients alone when their whole norm is at most threshold.")
        fail("gradients whose whole norm is below the threshold were changed.",
             "When the whole norm is at most threshold, return the gradients unchanged.")
    passed("one norm for all the gradients, one factor for every array: the direction is kept.")


def check_longest_clipnorm_step(longest_clipnorm_step, learning_rate=0.1, threshold=1.0, n_variables=10):
    """Exercise 2: the longest SGD step under clipnorm is lr * c * sqrt(number of variables)."""
    value = as_number(longest_clipnorm_step, "longest_clipnorm_step")
    expected = learning_rate * threshold * np.sqrt(n_variables)
    if np.isclose(value, learning_rate * threshold):
        fail(f"{value:g} is the longest step with global_clipnorm.",
             "clipnorm bounds each of the 10 variables' gradients by c separately; all of them can be at their bound at once.")
    if np.isclose(value, threshold * np.sqrt(n_variables)):
        fail(f"{value:g} is the longest clipped gradient, not the step.", "SGD's step is the learning rate times the gradient.")
    if np.isclose(value, learning_rate * threshold * n_variables):
        fail(f"{value:g} adds the 10 bounds, but the variables are orthogonal pieces of one vector.",
             "Norms of separate, orthogonal pieces combine like the sides of a right angle (Pythagoras), not by adding.")
    require(np.isclose(value, expected, rtol=1e-6), f"longest_clipnorm_step is {value:.6g}: {how_far(value, expected)}.",
            "clipnorm caps each of the 10 variables' gradients at norm c on its own; combine those 10 orthogonal pieces "
            "into one norm, then scale by the learning rate.")
    passed(f"{expected:.3f}: more than three times the {learning_rate * threshold:g} that global_clipnorm would allow.")
