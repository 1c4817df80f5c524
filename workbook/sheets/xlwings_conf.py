"""The ``xlwings.conf`` sheet: tells the xlwings add-in, where it is installed, to load the LLM_ worksheet
functions from ``addin.udfs``; the workbook does not need them (every calculation is a native formula).
"""

from __future__ import annotations

from ..kit import Book, put_text, setup_sheet
from ..xlwings_setup import CONF_NAME, UDF_MODULE, conf_sheet_rows
from .inputs import FIRST_ROW, SCENARIO_KEYS

__all__ = ["SHEET", "build"]

SHEET = CONF_NAME


def build(book: Book) -> None:
    """Column A: setting, column B: value, from A1 down (the add-in reads until the first empty cell)."""
    ws = book.sheet(CONF_NAME)
    rows = conf_sheet_rows(interpreter="")  # no machine-specific path: the user's add-in setting applies
    for i, (key, value) in enumerate(rows, start=1):
        put_text(ws, f"A{i}", key, "bold")
        put_text(ws, f"B{i}", value, "input")
    r = len(rows) + 2
    lines = (
        "Settings for the xlwings add-in (read from A1 down to the first empty row).",
        f"Where the add-in is installed, 'Import Functions' (in a macro-enabled copy, .xlsm) loads the LLM_ "
        f"worksheet functions from {UDF_MODULE},",
        f'e.g. =LLM_BREAKEVEN(Inputs!A{FIRST_ROW}:B{FIRST_ROW + len(SCENARIO_KEYS) - 1}, "api", "onprem"). '
        "This workbook does not need them.",
        "See docs/excel-addin.md or run: llmcost addin",
    )
    for i, line in enumerate(lines):
        put_text(ws, f"A{r + i}", line, "note")
    setup_sheet(ws, widths={"A": 20, "B": 30}, freeze=None, print_area=None, protect=False, in_book=False)
