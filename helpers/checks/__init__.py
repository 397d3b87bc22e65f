"""Exercise checks: call ``check_<name>(answer)`` under an exercise.

A correct answer prints a short confirmation. A wrong one raises
:class:`NotQuiteRight`, whose message says what is wrong and gives a hint
(in Jupyter only the message is shown, not a traceback). Every check runs with
Python warnings caught: they are printed to stdout after it, as a short note,
never to stderr (nbgrader scores a cell that writes to stderr 0).

The checks live in one small module per notebook (``helpers.checks.relu``, ...);
every ``check_*`` function of those modules is importable from here::

    from helpers.checks import check_leaky_relu_prime
"""

import importlib
import pkgutil

from .core import NotQuiteRight, captures_warnings

__all__ = ["NotQuiteRight"]

for _module_info in pkgutil.iter_modules(__path__):
    if _module_info.name.startswith("_") or _module_info.name == "core":
        continue
    _module = importlib.import_module(f"{__name__}.{_module_info.name}")
    for _name in dir(_module):
        if _name.startswith("check_"):
            if _name in globals():
                raise ImportError(f"two check modules define {_name}: rename one")
            _check = captures_warnings(getattr(_module, _name))
            setattr(_module, _name, _check)  # the same wrapped check from helpers.checks.<module> too
            globals()[_name] = _check
            __all__.append(_name)
