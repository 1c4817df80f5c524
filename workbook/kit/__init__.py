"""The build toolkit: the Book (the build's state), cells, rows, styles, page setup and chart pieces.

Sheet builders import from here; nothing here touches openpyxl's private names (that is :mod:`workbook.xlsx`).
"""

from .book import Book, Sheet
from .cells import (
    FORMULA_LEADS,
    LOCALE_POINT,
    absolute,
    escape_lookup,
    gated,
    point_text,
    put,
    put_formula_column,
    put_text,
    put_unit,
    quote_sheet,
    style_cell,
    units_needed,
    value_of_point_text,
)
from .charts import OPTION_COLOURS, cell_span_anchor, option_line, scatter_lines
from .limits import ALLOWED_FUNCTIONS, LIMITS, FormulaLimitError, check_formula, deepest_nesting, formula_shape
from .page import setup_sheet
from .rows import Rows, header_row, heading, wrap_ids, wrap_rows
from .styles import FMT, STYLE

__all__ = [
    "Book",
    "Sheet",
    "FMT",
    "STYLE",
    "FORMULA_LEADS",
    "Rows",
    "put",
    "put_text",
    "put_unit",
    "put_formula_column",
    "style_cell",
    "wrap_rows",
    "wrap_ids",
    "heading",
    "quote_sheet",
    "absolute",
    "header_row",
    "setup_sheet",
    "escape_lookup",
    "cell_span_anchor",
    "option_line",
    "scatter_lines",
    "OPTION_COLOURS",
    "units_needed",
    "gated",
    "LOCALE_POINT",
    "value_of_point_text",
    "point_text",
    "ALLOWED_FUNCTIONS",
    "LIMITS",
    "FormulaLimitError",
    "check_formula",
    "deepest_nesting",
    "formula_shape",
]
