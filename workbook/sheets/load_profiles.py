"""The Load Profiles sheet: the shipped load-profile catalog (``templates/load_profiles.csv``: the relative load
of each hour of a typical day, with sources and dates), and empty rows below it for the user's own profiles.

The Hybrid sheet finds the ``load_profile`` id here (case-insensitive, like ``costengine.profiles``) and reads
its 24 hourly weights; names ``list_load_profiles`` (the id column) and ``lp_hours`` (the 24 weight columns),
both including the empty rows.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine.profiles import HOURS, PROFILE_COLUMNS, load_profiles

from ..kit import Book, put, setup_sheet, wrap_rows
from .catalog_table import write_table

__all__ = ["SHEET", "USER_ROWS", "build"]

SHEET = "Load Profiles"
#: Empty (input) rows below the catalog for the user's own profiles.
USER_ROWS = 10
_HOUR_COLS = tuple(f"h{h:02d}" for h in range(HOURS))


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    rows = list(load_profiles().values())
    columns = [
        (f"{c[1:]}:00 UTC" if c in _HOUR_COLS else c.replace("_", " "), "0.000" if c in _HOUR_COLS else "General")
        for c in PROFILE_COLUMNS
    ]
    columns[0] = ("id", "General")
    data = [[getattr(row, c) for c in PROFILE_COLUMNS] for row in rows]
    last = write_table(ws, 1, columns, data)
    end = last + USER_ROWS
    for r in range(last + 1, end + 1):  # the user's own rows: input cells (unlocked)
        for j in range(len(PROFILE_COLUMNS)):
            put(ws, f"{get_column_letter(j + 1)}{r}", None, "input", "0.000" if 1 <= j <= HOURS else None)
    first_h, last_h = get_column_letter(2), get_column_letter(1 + HOURS)
    book.names_many([("list_load_profiles", SHEET, f"A2:A{end}"), ("lp_hours", SHEET, f"{first_h}2:{last_h}{end}")])
    widths = {"A": 30, **{get_column_letter(2 + h): 7 for h in range(HOURS)}}
    tail = {c: get_column_letter(PROFILE_COLUMNS.index(c) + 1) for c in ("source", "as_of", "notes")}
    widths.update({tail["source"]: 40, tail["as_of"]: 11, tail["notes"]: 60})
    ncols = get_column_letter(len(PROFILE_COLUMNS))
    setup_sheet(ws, widths=widths, freeze="B2", print_area=None, title_rows="1:1", in_book=False)
    ws.row_dimensions[1].height = 30
    wrap_rows(ws, range(2, last + 1), [tail["source"], tail["notes"]], widths, chars_per_width=1.05)
    ws.auto_filter.ref = f"A1:{ncols}{end}"
