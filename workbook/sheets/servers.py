"""The Servers sheet: the shipped server catalog (one row per on-premises configuration, with sources and
dates), and the columns that pick the standard server of ``onprem_gpu`` when ``onprem_server`` is blank
(``costengine.catalogs.Catalog.standard_server``: the first row marked standard, else the first row with
that GPU)."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine import load_catalog
from costengine.catalogs import SERVER_COLUMNS

from ..kit import Book, header_row, put
from .catalog_table import catalog_sheet

__all__ = ["SHEET", "build"]

SHEET = "Servers"
_UNITS = {
    "gpus_per_server": "GPUs per server",
    "price_usd": "price [USD]",
    "typical_kw": "typical power [kW]",
    "max_kw": "maximum power [kW]",
    "support_per_year_usd": "support [USD/year]",
}
_FMT = {
    "gpus_per_server": "int",
    "price_usd": "#,##0",
    "typical_kw": "0.00",
    "max_kw": "0.00",
    "support_per_year_usd": "#,##0",
}


def build(book: Book) -> None:
    """One row per server; names ``sv_<column>``, ``list_servers``, ``sv_pick_standard``, ``sv_pick_gpu``."""
    cat = load_catalog()
    rows = list(cat.servers.values())
    widths = {
        "A": 26,
        "B": 30,
        "C": 14,
        "D": 10,
        "E": 8,
        "F": 11,
        "G": 9,
        "H": 9,
        "I": 11,
        "J": 9,
        "K": 34,
        "L": 34,
        "M": 34,
        "N": 11,
        "O": 40,
    }
    first = len(SERVER_COLUMNS) + 2
    ext = catalog_sheet(book, SHEET, SERVER_COLUMNS, rows, _UNITS, "sv", _FMT, widths, "list_servers", first + 2)
    ws = book.sheet(SHEET)
    col = {c: get_column_letter(j + 1) for j, c in enumerate(SERVER_COLUMNS)}
    std, any_ = get_column_letter(first), get_column_letter(first + 1)
    header_row(ws, 1, ["standard for onprem_gpu: row", "has onprem_gpu: row"], first)
    last = ext.block.last
    for r in [*range(2, ext.shipped + 1), *range(ext.block.first, last + 1)]:  # place in the list: ROW() - 1
        same = f"LOWER(TRIM({col['gpu']}{r}))=LOWER(onprem_gpu_used),LEN({ext.check}{r})=0"
        put(ws, f"{std}{r}", f'=IF(AND({same},{col["standard"]}{r}="yes"),ROW()-1,"")', "calc", "int")
        put(ws, f"{any_}{r}", f'=IF(AND({same}),ROW()-1,"")', "calc", "int")
    book.names_many(
        [("sv_pick_standard", SHEET, f"{std}2:{std}{last}"), ("sv_pick_gpu", SHEET, f"{any_}2:{any_}{last}")]
    )
    ws.column_dimensions[std].width = 12
    ws.column_dimensions[any_].width = 12
