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
        (1.0, "at gain 1 the ReLU recurrence still shrinks the gradient at every step (section 2 measures by how much).",
         "ReLU's derivative switches off about half the units, which shortens the vector at every step: "
         "the gain has to make up for that, so that the per-step factor is exactly 1. Solve for the gain."),
        (2.0, "gain 2 overshoots: the ReLU recurrence then grows at every step.",
         "Half the units keep about 1/sqrt(2) of a vector's *length*, not half of it."),
        (1 / np.sqrt(2), "that is the per-step factor at gain 1, not the gain that makes it 1.",
         "The answer is a gain: the per-step factor must be exactly 1, so solve for the gain that gets it there."),
    ])
    require(np.isclose(value, np.sqrt(2), rtol=1e-4), f"level_relu_gain is {value:.4g}: {how_far(value, np.sqrt(2))}.",
            "The per-step factor is the gain times what ReLU leaves of a vector's length (section 2): "
            "it must be exactly 1, so solve for the gain.")
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
