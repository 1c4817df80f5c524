"""CSV files that a spreadsheet opens as data, never as formulas (CSV injection, CWE-1236).

Excel and LibreOffice evaluate a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a tab or a
carriage return, what follows) as a formula: a scenario named ``=HYPERLINK("http://evil","x")`` or
``+cmd|' /C calc'!A0`` would run when ``summary.csv`` is opened. Following OWASP's "CSV Injection" advice, every
*text* cell that starts with one of those characters gets a leading single quote (``'=HYPERLINK(...)``), which
the spreadsheet shows as text; the :mod:`csv` module quotes cells holding the separator, quotes or line breaks,
so a cell cannot spill into the next. Numbers are written by the caller's formatter and are never quoted:
they are the product's own digits, not user text.

Every CSV file the command line writes goes through :class:`SafeCsvWriter` (``summary.csv`` and
``summary_raw.csv`` of ``llmcost batch``); :func:`text_cell` is the rule itself, for any other writer.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

__all__ = ["FORMULA_LEADS", "text_cell", "cell", "SafeCsvWriter"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: prefixed with ``'`` when it starts with a formula lead.

    >>> text_cell('=HYPERLINK("http://evil","x")')
    '\\'=HYPERLINK("http://evil","x")'
    >>> text_cell("support-bot")
    'support-bot'
    """
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def cell(value: Any, number: Callable[[float], str] = repr) -> str:
    """One CSV cell: ``None`` is empty, a bool is ``true``/``false``, an int its digits, a finite float
    ``number(value)`` (default: full precision), a NaN or infinity empty, anything else neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value) if math.isfinite(value) else ""
    return text_cell(str(value))


class SafeCsvWriter:
    """A :class:`csv.DictWriter`-like writer whose text cells are neutralised by :func:`text_cell`.

    Parameters
    ----------
    fh : text file
        Opened with ``newline=""``.
    columns : sequence of str
        The header, in order (written by :meth:`writeheader`).
    numbers : mapping, optional
        Column -> formatter of that column's floats (``lambda v: f"{v:.2f}"``); other columns' floats are
        written at full precision.
    """

    def __init__(
        self, fh: IO[str], columns: Iterable[str], numbers: Mapping[str, Callable[[float], str]] | None = None
    ):
        self.columns = tuple(columns)
        self._numbers = dict(numbers or {})
        self._writer = csv.writer(fh, lineterminator="\n")

    def writeheader(self) -> None:
        self._writer.writerow([text_cell(c) for c in self.columns])

    def writerow(self, row: Mapping[str, Any]) -> None:
        """Write the ``columns`` of ``row`` (a missing column is an empty cell)."""
        self._writer.writerow([cell(row.get(c), self._numbers.get(c, repr)) for c in self.columns])
