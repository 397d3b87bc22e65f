"""Assertions shared by the exercise-check tests."""

import pytest

from helpers.checks import NotQuiteRight


def fails_with(check, *args, hint):
    """Run ``check(*args)``, expect NotQuiteRight whose message holds ``hint``; return the error."""
    with pytest.raises(NotQuiteRight) as caught:
        check(*args)
    assert hint in str(caught.value), str(caught.value)
    return caught.value
