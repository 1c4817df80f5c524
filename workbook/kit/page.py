"""Page setup of a sheet: column widths, frozen panes, print area, protection."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["setup_sheet"]


def setup_sheet(
    ws: Worksheet,
    *,
    widths: dict[str, float],
    freeze: str | None,
    print_area: str,
    landscape: bool = True,
    protect: bool = True,
    title_rows: str | None = None,
    fit_height: bool = False,
) -> None:
    """Column widths, frozen panes, print area (fit to one page wide), gridlines off, protection."""
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    if freeze:
        ws.freeze_panes = freeze
    ws.print_area = print_area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.sheet_view.showGridLines = False
    if protect:
        p = ws.protection
        p.sheet = True
        # a protected sheet still lets the user resize, sort and filter
        p.formatColumns = False
        p.formatRows = False
        p.formatCells = False
        p.sort = False
        p.autoFilter = False
        p.selectLockedCells = False
        p.selectUnlockedCells = False
