"""The mechanism behind every exercise check: a friendly failure and a few comparisons."""

import numpy as np


class NotQuiteRight(AssertionError):
    """An exercise answer that is not right yet; the message says what and how to fix it."""

    def __init__(self, what, hint):
        self.what, self.hint = what, hint
        super().__init__(f"Not quite: {what}\nHint: {hint}")

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return ["\033[1;31mNot quite:\033[0m " + self.what, "\033[1mHint:\033[0m " + self.hint]


def fail(what, hint):
    raise NotQuiteRight(what, hint)


def passed(message):
    print(f"Correct. {message}")


def require(condition, what, hint):
    """Fail with ``what`` and ``hint`` unless ``condition`` holds."""
    if not condition:
        fail(what, hint)


def as_array(answer, name, hint="Return a number or a NumPy array."):
    """The answer as a float array, or a failure that says it is not numeric."""
    if answer is None:
        fail(f"{name} is None: the exercise cell did not produce it.",
             "Make sure your function ends with `return ...` (or that the variable is assigned).")
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name} is a {type(answer).__name__}, not a number or an array of numbers.", hint)


def require_callable(answer, name):
    require(callable(answer), f"{name} should be a function; got a {type(answer).__name__}.",
            f"Define it with `def {name}(...):` and pass the function itself, without calling it.")
