"""Engine errors -> the one line a cell shows, in the form the platform allows.

Every problem with a cell argument raises :class:`~costengine.CostModelError` naming the argument or scenario
key; :func:`message` turns it into the one-line text ``#LLM! <name> <problem>`` (at most :data:`MAX_MESSAGE`
characters, long user text shortened, a cell value written as a user would recognise it: :func:`fmt`), and
:func:`run` returns it into the cell in the form the platform allows (:func:`error_mode`): the text itself
(classic xlwings: COM cannot carry a message with an error value), or Excel's ``#VALUE!`` error value, which
IFERROR/ISERROR catch, with the message logged (xlwings Lite and xlwings Server, where Office.js turns
``"#VALUE!"`` into a real error).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from costengine import CostModelError
from costengine.errors import Infeasible

__all__ = [
    "PREFIX",
    "MAX_MESSAGE",
    "ERROR_MODES",
    "ERROR_VALUE",
    "ERROR_MODE_VARIABLE",
    "fmt",
    "message",
    "error_mode",
    "run",
    "not_feasible",
    "NOT_FEASIBLE",
]

#: Start of every error text a function returns into a cell.
PREFIX = "#LLM!"
#: Start of the text a function returns for an option that cannot be served (an answer, not an error).
NOT_FEASIBLE = "not feasible:"
#: Longest message a cell gets [characters]: Excel's limit for a formula's text result and for the function
#: wizard is 255; long user text inside a message is shortened first (:data:`_QUOTED_MAX`).
MAX_MESSAGE = 254
#: ``text``: the cell shows ``#LLM! ...``; ``error``: the cell shows Excel's ``#VALUE!``, the message is logged.
ERROR_MODES = ("text", "error")
#: What a function returns in ``error`` mode; xlwings' Office.js engine turns it into Excel's error value.
ERROR_VALUE = "#VALUE!"
#: Environment variable that chooses the error mode (``text`` or ``error``); unset = by platform.
ERROR_MODE_VARIABLE = "LLMCOST_ERRORS"
_QUOTED_MAX = 40  # longest quoted user text kept whole in a message [characters]
_QUOTED = re.compile(r"'[^']{%d,}'" % (_QUOTED_MAX + 1))
logger = logging.getLogger("llmcost")
_VERBS = ("must", "is", "has", "needs", "should", "cannot", "does", "refers")


def fmt(v: Any) -> str:
    """A cell value as a user would recognise it in a message (-5.0 -> -5, True -> TRUE)."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return f"the date {v:%Y-%m-%d}"
    if isinstance(v, str):
        return repr(v) if len(v) <= _QUOTED_MAX else repr(v[: _QUOTED_MAX - 3]) + "..."
    return str(v)


def _short(body: str) -> str:
    """A message body with quoted text over 40 characters shortened and the whole cut to :data:`MAX_MESSAGE`."""
    body = _QUOTED.sub(lambda m: m.group(0)[: _QUOTED_MAX - 2] + "...'", body)
    room = MAX_MESSAGE - len(PREFIX) - 1
    return body if len(body) <= room else body[: room - 3] + "..."


def message(exc: CostModelError) -> str:
    """The one-line cell text of an engine error: ``#LLM! requests_per_month must be >= 0 (got -5)``."""
    key, problem = exc.problems[0]
    if key and len(key) > _QUOTED_MAX:  # a long unknown key, as typed
        key = key[: _QUOTED_MAX - 3] + "..."
    if not key:
        body = problem
    elif problem.split(" ", 1)[0] in _VERBS:
        body = f"{key} {problem}"
    else:
        body = f"{key}: {problem}"
    more = len(exc.problems) - 1
    if more:
        body += f" (and {more} more problem{'s' if more > 1 else ''})"
    return f"{PREFIX} " + _short(" ".join(body.split()))


def error_mode() -> str:
    """How an error reaches the cell: ``"text"`` or ``"error"`` (see :data:`ERROR_MODES`).

    ``LLMCOST_ERRORS=text|error`` chooses; unset, it is ``error`` where the functions run through Office.js
    (xlwings Lite: Pyodide, ``sys.platform == "emscripten"``; xlwings Server: ``XLWINGS_ON_SERVER=true``, which
    it sets before importing xlwings) and ``text`` elsewhere (classic xlwings on Windows).
    """
    mode = os.environ.get(ERROR_MODE_VARIABLE, "").strip().lower()
    if mode in ERROR_MODES:
        return mode
    officejs = sys.platform == "emscripten" or os.environ.get("XLWINGS_ON_SERVER") == "true"
    return "error" if officejs else "text"


def run(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, with a :class:`CostModelError` turned into the cell's error (other errors propagate); an
    option that cannot be served gives its "not feasible: <option>: <reason>" text (:func:`not_feasible`).

    In ``text`` mode the cell gets :func:`message`; in ``error`` mode :data:`ERROR_VALUE` (Excel's ``#VALUE!``
    once xlwings' Office.js engine has converted it), and the message goes to the ``llmcost`` logger (in xlwings
    Lite: the output pane). numpy's overflow warnings are silenced: an infinite result becomes a message in
    :func:`out`.
    """
    try:
        with np.errstate(over="ignore"):
            return fn(*args)
    except Infeasible as exc:
        if exc.key is None and exc.problem.startswith(NOT_FEASIBLE):  # an answer, not an input error
            return not_feasible(exc)
        return _error(fn, exc)
    except CostModelError as exc:
        return _error(fn, exc)


def not_feasible(exc: Infeasible) -> str:
    """The one-line text a cell shows for an option that cannot be served: ``not feasible: cloud: <reason>``
    (the same in every error mode: it is the answer, as in the workbook; at most :data:`MAX_MESSAGE` characters)."""
    body = " ".join(exc.problem.split())
    return body if len(body) <= MAX_MESSAGE else body[: MAX_MESSAGE - 3] + "..."


def _error(fn: Callable[..., Any], exc: CostModelError) -> str:
    """The cell's error for ``exc`` in the platform's form (see :func:`run`)."""
    text_ = message(exc)
    if error_mode() == "error":
        logger.warning("%s: %s", getattr(fn, "__name__", "function"), text_)
        return ERROR_VALUE
    return text_
