"""Exercise checks for notebook 05: the reference solution passes, typical mistakes get their hint."""

import numpy as np

from assertions import fails_with
from helpers.checks import check_batch_norm_forward, check_moving_average_after


def reference_batch_norm(x, gamma, beta, epsilon=1e-3):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon) + beta


def test_batch_norm_forward(capsys):
    check_batch_norm_forward(reference_batch_norm)
    assert "Correct" in capsys.readouterr().out

    def per_example(x, gamma, beta, epsilon=1e-3):
        mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        return gamma * (x - mean) / np.sqrt(var + epsilon) + beta

    def no_affine(x, gamma, beta, epsilon=1e-3):
        return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon)

    def unbiased(x, gamma, beta, epsilon=1e-3):
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + epsilon) + beta

    def eps_on_std(x, gamma, beta, epsilon=1e-3):
        return gamma * (x - x.mean(axis=0)) / (x.std(axis=0) + epsilon) + beta

    def fixed_eps(x, gamma, beta, epsilon=1e-3):
        return reference_batch_norm(x, gamma, beta)

    fails_with(check_batch_norm_forward, per_example, hint="axis=0")
    fails_with(check_batch_norm_forward, no_affine, hint="gamma * x_hat + beta")
    fails_with(check_batch_norm_forward, unbiased, hint="divides by n")
    fails_with(check_batch_norm_forward, eps_on_std, hint="sqrt(variance + epsilon)")
    fails_with(check_batch_norm_forward, fixed_eps, hint="epsilon parameter")
    fails_with(check_batch_norm_forward, lambda x, gamma, beta, epsilon=1e-3: x.mean(axis=0), hint="input's shape")


def test_moving_average_after(capsys):
    def reference(batch_value, steps, momentum=0.99, start=0.0):
        return momentum**steps * start + (1 - momentum**steps) * batch_value

    def loop(batch_value, steps, momentum=0.99, start=0.0):
        average = start
        for _ in range(steps):
            average = momentum * average + (1 - momentum) * batch_value
        return average

    check_moving_average_after(reference)
    check_moving_average_after(loop)
    assert capsys.readouterr().out.count("Correct") == 2

    def swapped(batch_value, steps, momentum=0.99, start=0.0):
        return reference(batch_value, steps, 1 - momentum, start)

    def ignores_start(batch_value, steps, momentum=0.99, start=0.0):
        return (1 - momentum**steps) * batch_value

    def backwards(batch_value, steps, momentum=0.99, start=0.0):
        return momentum**steps * batch_value

    fails_with(check_moving_average_after, swapped, hint="keeps `momentum` of the old average")
    fails_with(check_moving_average_after, ignores_start, hint="momentum**steps of `start`")
    fails_with(check_moving_average_after, backwards, hint="fills the share")
    fails_with(check_moving_average_after, lambda batch_value, steps, momentum=0.99, start=0.0: batch_value, hint="`steps` times")
