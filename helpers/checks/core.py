"""The mechanism behind every exercise check: a friendly failure and a few comparisons.

A failure says what is wrong with the answer given and how to fix it, never what
the right answer is: these messages are the autograder's feedback.
"""

import functools
import math
import warnings

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
    if callable(answer) and not hasattr(answer, "__array__"):
        fail(f"{name} is a function, not a number or an array of numbers.",
             "Use the value: call the function (or compute the number) instead of passing the function itself.")
    try:
        array = np.asarray(answer)
        if array.dtype.kind in "USO" and any(isinstance(item, (str, bytes)) for item in array.ravel()):
            fail(f"{name} is text, not a number: {answer!r:.40}.", hint)
        if np.iscomplexobj(array):
            fail(f"{name} has complex values.", "Every quantity here is real: check for a square root or log of a negative number.")
        return np.asarray(array, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name} has type {type(answer).__name__}, not a number or an array of numbers.", hint)


def as_number(answer, name, hint="Compute a single number, e.g. with float(...)."):
    """The answer as one float, or a failure that says it is not a single number."""
    value = as_array(answer, name, hint)
    require(value.shape == (), f"{name} should be one number; it has shape {value.shape}.", hint)
    return float(value)


def how_far(value, expected):
    """How ``value`` misses ``expected``, in words that do not give ``expected`` away.

    Only the direction and the rough size of the miss: "about 3x too large",
    "too small by about 2 orders of magnitude", "the wrong sign".
    """
    if not math.isfinite(value):
        return "it is not a finite number"
    if value == 0:
        return "it should not be 0"
    if expected == 0:
        return "it should be 0"
    if (value > 0) != (expected > 0):
        return "it has the wrong sign"
    log_ratio = math.log10(abs(value)) - math.log10(abs(expected))  # no overflow for tiny or huge values
    direction = ("large" if log_ratio > 0 else "small") + (" in magnitude" if expected < 0 else "")
    factor = 10 ** min(abs(log_ratio), 1.0)  # "about 10x" and beyond are told in orders of magnitude
    if factor < 1.01:
        return f"it is slightly too {direction} (by less than 1%)"
    if factor < 1.5:
        return f"it is too {direction} (by less than 50%)"
    if factor < 9.5:
        return f"it is about {factor:.0f}x too {direction}"
    orders = round(abs(log_ratio))
    return f"it is too {direction} by about {orders} order{'s' if orders > 1 else ''} of magnitude"


def _first_line(message):
    lines = str(message).strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line if len(line) <= 200 else line[:197] + "..."


def captures_warnings(check):
    """``check`` with the Python warnings raised on the way caught and told on stdout, one short line each.

    nbgrader scores a check cell 0 if it writes anything to stderr, where Python
    sends warnings: a warning from the learner's code (Keras's note on
    ``input_shape``, say) would cost a right answer its point. Each distinct one
    is printed after the check, whether it passed or failed.
    """
    if getattr(check, "captures_warnings", False):
        return check

    @functools.wraps(check)
    def checked(*args, **kwargs):
        caught = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return check(*args, **kwargs)
        finally:
            seen = set()
            for warning in caught:
                note = (warning.category.__name__, _first_line(warning.message))
                if note not in seen:
                    seen.add(note)
                    print(f"Note: your code raised a warning ({note[0]}): {note[1]}")

    checked.captures_warnings = True
    return checked


def call(function, call_text, hint, *args, **kwargs):
    """``function(*args, **kwargs)``; an error inside the learner's code becomes a failure that names it."""
    try:
        with np.errstate(all="ignore"):  # NaN or inf in the result is reported by the check, in words
            return function(*args, **kwargs)
    except NotQuiteRight:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's code; report what happened
        if "truth value of an array" in str(exc):
            hint = "The function receives NumPy arrays: work elementwise (np.where, *, np.sqrt), not with `if` on an array."
        elif not isinstance(exc, TypeError):  # a TypeError is most often a signature that does not match: the hint says it
            hint = f"Run it in a cell of its own, on inputs like these, to see where it fails. {hint}"
        fail(f"{call_text} raised {type(exc).__name__}: {exc}", hint)


def require_callable(answer, name):
    require(callable(answer), f"{name} should be a function; it has type {type(answer).__name__}.",
            f"Define it with `def {name}(...):` and pass the function itself, without calling it.")
