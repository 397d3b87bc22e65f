"""Checks for notebook 07's exercises (recurrent networks)."""

import numpy as np

from .core import as_number, fail, how_far, passed, require


def _number(answer, name):
    return as_number(answer, name, "Compute a single float.")


def check_predicted_ratio(predicted_ratio, gain=0.9, length=50):
    """Exercise 1: a linear recurrence with U = gain * orthogonal gives gain^(T-1) from step 1 to step T."""
    value = _number(predicted_ratio, "predicted_ratio")
    expected = gain ** (length - 1)
    if np.isclose(value, gain**length, rtol=1e-9):
        fail(f"{value:.4g} is {gain}^{length}: one factor too many.",
             f"From step 1 to step {length} the gradient passes through {length - 1} applications of U, not {length}.")
    if np.isclose(value, (gain / np.sqrt(2)) ** (length - 1), rtol=1e-9):
        fail("that is the rule for a ReLU recurrence.", "A linear recurrence has f' = 1: no 1/sqrt(2) per step, only the gain.")
    if np.isclose(value, 1 / expected, rtol=1e-9):
        fail(f"{value:.4g} is the ratio the other way up (step {length} over step 1).",
             "With a gain below 1 the early step receives the smaller gradient: the ratio is below 1.")
    if np.isclose(value, gain * (length - 1), rtol=1e-9):
        fail("the factors add up here, but they multiply: one per step.", "Use a power of the gain, one factor per application of U.")
    require(np.isclose(value, expected, rtol=1e-6), f"predicted_ratio is {value:.4g}: {how_far(value, expected)}.",
            "An orthogonal matrix times g scales every vector by exactly g; count the steps between 1 and 50.")
    passed(f"{expected:.3g}: even a gain of 0.9 leaves under 1% of the gradient after 49 steps.")


def _reject_known_mistakes(value, mistakes):
    """Fail with the matching hint when ``value`` equals one of the typical wrong answers."""
    for wrong, what, hint in mistakes:
        if np.isclose(value, wrong):
            fail(what, hint)


def check_level_relu_gain(level_relu_gain):
    """Exercise 2: ReLU's per-step factor is about g / sqrt(2), level at g = sqrt(2)."""
    value = _number(level_relu_gain, "level_relu_gain")
    _reject_known_mistakes(value, [
        (1.0, "at gain 1 the ReLU recurrence still loses a factor of about sqrt(2) per step (section 2).",
         "ReLU's derivative switches off about half the units: the per-step factor is g / sqrt(2). Set it to 1."),
        (2.0, "gain 2 makes the ReLU recurrence grow by about sqrt(2) per step.",
         "Half the units keep about 1/sqrt(2) of a vector's *length*, not half of it."),
        (1 / np.sqrt(2), "that is the per-step factor at gain 1, not the gain that makes it 1.", "Solve g / sqrt(2) = 1 for g."),
    ])
    require(np.isclose(value, np.sqrt(2), rtol=1e-4), f"level_relu_gain is {value:.4g}: {how_far(value, np.sqrt(2))}.",
            "The per-step factor is g / sqrt(2); find the g for which it equals 1.")
    passed(f"sqrt(2) = {np.sqrt(2):.3f}: the same factor of 2 in variance that He's initialization builds in.")


def check_sigmoid_vanishing_gain(sigmoid_vanishing_gain):
    """Exercise 3: sigmoid' <= 1/4, so with singular values g < 1/gamma = 4 the gradient must vanish."""
    value = _number(sigmoid_vanishing_gain, "sigmoid_vanishing_gain")
    _reject_known_mistakes(value, [
        (0.25, "0.25 is gamma, the bound on the sigmoid's derivative, not the gain.",
         "The condition is: largest singular value below 1 / gamma."),
        (1.0, "1 is the bound for a recurrence whose derivative can reach 1, such as tanh or linear.",
         "The sigmoid's derivative stays well below 1: use its own bound gamma = max sigmoid'(z) (notebook 02, section 1)."),
    ])
    require(np.isclose(value, 4.0, rtol=1e-6), f"sigmoid_vanishing_gain is {value:.4g}: {how_far(value, 4.0)}.",
            "gamma is the largest value of sigmoid'(z) (notebook 02, section 1); every singular value of U equals the gain.")
    passed("4: below a gain of 4 a sigmoid recurrence cannot avoid vanishing gradients; above it, it may still vanish.")
