"""Page setup of a sheet: column widths, frozen panes, print area, protection.

Printing the whole workbook (Excel's "Print Entire Workbook", LibreOffice's print or PDF export of all sheets)
gives the decision sheets only: the reference sheets (catalogs, constants, xlwings.conf) are set up with
``in_book=False``, which hides them and leaves them without a print area. Neither application has a flag that
keeps a visible sheet out of the printed book: Excel prints every visible sheet, LibreOffice 7.4 every visible
sheet and every hidden sheet that has a print range (a hidden sheet without one it skips). Shown again (right-click
a tab > Unhide in Excel, Sheet > Show Sheet in LibreOffice) such a sheet prints on its own, one page wide.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["setup_sheet"]


def setup_sheet(
    ws: Worksheet,
    *,
    widths: dict[str, float],
    freeze: str | None,
    print_area: str | None,
    landscape: bool = True,
    protect: bool = True,
    title_rows: str | None = None,
    fit_height: bool = False,
    in_book: bool = True,
) -> None:
    """Column widths, frozen panes, print area (fit to one page wide), gridlines off, protection.

    ``in_book=False``: a reference sheet, hidden and without a print area, so that it is not printed with the
    workbook (see the module docstring); ``print_area`` must then be None.
    """
    if not in_book and print_area is not None:
        raise ValueError(f"{ws.title}: a sheet kept out of the printed book has no print area (print_area=None)")
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    if freeze:
        ws.freeze_panes = freeze
    if print_area is not None:
        ws.print_area = print_area
    if not in_book:
        ws.sheet_state = "hidden"
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
