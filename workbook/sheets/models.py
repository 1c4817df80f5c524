"""The Models sheet: the shipped open-model catalog (one row per model, with sources)."""

from __future__ import annotations

from costengine import load_catalog
from costengine.catalogs import MODEL_COLUMNS

from ..kit import Book
from .catalog_table import catalog_sheet

__all__ = ["SHEET", "build"]

SHEET = "Models"

_MD_UNITS = {
    "params_billion": "params [billion]",
    "active_params_billion": "active params [billion]",
    "context_length": "context length [tokens]",
}


def build(book: Book) -> None:
    """One row per model; names ``md_<column>`` and ``list_models``."""
    cat = load_catalog()
    fmt = {"params_billion": "#,##0.00", "active_params_billion": "#,##0.00", "context_length": "#,##0"}
    widths = {
        "A": 18,
        "B": 22,
        "C": 10,
        "D": 10,
        "E": 8,
        "F": 10,
        "G": 9,
        "H": 9,
        "I": 9,
        "J": 11,
        "K": 22,
        "L": 40,
        "M": 11,
        "N": 44,
    }
    catalog_sheet(book, SHEET, MODEL_COLUMNS, list(cat.models.values()), _MD_UNITS, "md", fmt, widths, "list_models")
