"""Exercise checks for notebook 06: the reference solution passes, typical mistakes get their hint."""

import numpy as np

from assertions import fails_with
from helpers.checks import check_clip_by_global_norm, check_longest_clipnorm_step


def reference(gradients, threshold):
    norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
    return [g * threshold / max(norm, threshold) for g in gradients]


def test_clip_by_global_norm(capsys):
    check_clip_by_global_norm(reference)
    assert "Correct" in capsys.readouterr().out

    def per_variable(gradients, threshold):
        return [g * threshold / max(np.linalg.norm(g), threshold) for g in gradients]

    def by_value(gradients, threshold):
        return [np.clip(g, -threshold, threshold) for g in gradients]

    def summed_norms(gradients, threshold):
        norm = sum(np.linalg.norm(g) for g in gradients)
        return [g * threshold / max(norm, threshold) for g in gradients]

    def always_rescale(gradients, threshold):
        norm = np.sqrt(sum(np.sum(g**2) for g in gradients))
        return [g * threshold / norm for g in gradients]

    def flattened(gradients, threshold):
        return [np.concatenate([g.ravel() for g in reference(gradients, threshold)])]

    fails_with(check_clip_by_global_norm, per_variable, hint="ONE norm over all the arrays")
    fails_with(check_clip_by_global_norm, by_value, hint="same factor")
    fails_with(check_clip_by_global_norm, summed_norms, hint="sum of *all* their squares")
    fails_with(check_clip_by_global_norm, always_rescale, hint="only ever shrinks")
    fails_with(check_clip_by_global_norm, flattened, hint="one array per gradient")
    fails_with(check_clip_by_global_norm, lambda gradients, threshold: None, hint="list")
    fails_with(check_clip_by_global_norm, reference(
        [np.ones(2)], 1.0), hint="without calling it")


def test_longest_clipnorm_step(capsys):
    check_longest_clipnorm_step(0.1 * np.sqrt(10))
    assert "Correct" in capsys.readouterr().out
    fails_with(check_longest_clipnorm_step, 0.1, hint="separately")
    fails_with(check_longest_clipnorm_step, np.sqrt(10), hint="learning rate times")
    fails_with(check_longest_clipnorm_step, 1.0, hint="right angle")
    fails_with(check_longest_clipnorm_step, 0.5, hint="combine those 10 orthogonal pieces")
