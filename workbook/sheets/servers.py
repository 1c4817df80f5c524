"""The Servers sheet: the shipped server catalog (one row per on-premises configuration, with sources and
dates), and the columns that pick the standard server of ``onprem_gpu`` when ``onprem_server`` is blank
(``costengine.catalogs.Catalog.standard_server``): the rows of that GPU ranked by
``costengine.price_rules.server_rank`` (1: a price that passes the blank-choice rule, or no price; 2: a primary,
dated price older than a year; never: an undated or weak price), then the row marked standard first, then catalog
order. ``sv_pick_key`` = rank x 2 x ``c_server_key_scale`` + (0 if standard else ``c_server_key_scale``) + place;
the smallest key wins."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine import load_catalog
from costengine.catalogs import SERVER_COLUMNS

from ..kit import Book, header_row, put
from .catalog_table import catalog_sheet
from .price_dates import day_number, primary_grade, usable_price

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
    """One row per server; names ``sv_<column>``, ``list_servers``, ``sv_pick_key``."""
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
        "P": 11,
        "Q": 11,
        "R": 10,
    }
    first = len(SERVER_COLUMNS) + 2
    ext = catalog_sheet(book, SHEET, SERVER_COLUMNS, rows, _UNITS, "sv", _FMT, widths, "list_servers", first + 3)
    ws = book.sheet(SHEET)
    col = {c: get_column_letter(j + 1) for j, c in enumerate(SERVER_COLUMNS)}
    day, rank, key = (get_column_letter(first + k) for k in range(3))
    header_row(ws, 1, ["price date [day number]", "rank (1 rule, 2 older, 0 never)", "pick key"], first)
    last = ext.block.last
    for r in [*range(2, ext.shipped + 1), *range(ext.block.first, last + 1)]:  # place in the list: ROW() - 1
        put(ws, f"{day}{r}", f"={day_number(col['price_date'] + str(r))}", "calc", "0")
        usable = usable_price(f"{day}{r}", f"{col['grade']}{r}")
        put(
            ws,
            f"{rank}{r}",
            f"=IF(OR(NOT(ISNUMBER({col['price_usd']}{r})),{usable}),1,"
            f"IF(AND({primary_grade(col['grade'] + str(r))},{day}{r}>0),2,0))",
            "calc",
            "int",
        )
        same = f"LOWER(TRIM({col['gpu']}{r}))=LOWER(onprem_gpu_used),LEN({ext.check}{r})=0,{rank}{r}>0"
        put(
            ws,
            f"{key}{r}",
            f'=IF(AND({same}),{rank}{r}*2*c_server_key_scale+IF({col["standard"]}{r}="yes",0,c_server_key_scale)'
            f'+ROW()-1,"")',
            "calc",
            "int",
        )
    book.names_many([("sv_pick_key", SHEET, f"{key}2:{key}{last}"), ("sv_price_day", SHEET, f"{day}2:{day}{last}")])
    for c in (day, rank, key):
        ws.column_dimensions[c].width = 12
