"""The Hardware sheet: the shipped GPU catalog (one row per GPU, with sources and dates)."""

from __future__ import annotations

from costengine import load_catalog
from costengine.catalogs import HARDWARE_COLUMNS

from ..kit import Book
from .catalog_table import catalog_sheet

__all__ = ["SHEET", "build"]

SHEET = "Hardware"

_HW_UNITS = {
    "memory_gb": "memory [GB]",
    "bandwidth_tbps": "bandwidth [TB/s]",
    "bf16_tflops": "bf16 dense [TFLOP/s]",
    "fp8_tflops": "fp8 dense [TFLOP/s]",
    "tdp_w": "TDP [W]",
    "price_usd": "price [USD]",
    "cloud_price_per_hour_usd": "cloud price [USD/GPU-h]",
}


def build(book: Book) -> None:
    """One row per GPU; names ``hw_<column>`` and ``list_gpus``."""
    cat = load_catalog()
    fmt = {
        "memory_gb": "General",
        "bandwidth_tbps": "0.000",
        "bf16_tflops": "#,##0.0",
        "fp8_tflops": "#,##0.0",
        "tdp_w": "#,##0",
        "price_usd": "#,##0",
        "cloud_price_per_hour_usd": "0.00",
    }
    widths = {
        "A": 11,
        "B": 18,
        "C": 8,
        "D": 8,
        "E": 10,
        "F": 10,
        "G": 10,
        "H": 8,
        "I": 9,
        "J": 10,
        "K": 34,
        "L": 34,
        "M": 34,
        "N": 11,
        "O": 34,
    }
    catalog_sheet(book, SHEET, HARDWARE_COLUMNS, list(cat.gpus.values()), _HW_UNITS, "hw", fmt, widths, "list_gpus")
