"""Styles of the template workbook: number formats and the kinds of cell (font, fill, border, protection).

Colour conventions (shown on the README sheet): inputs are blue on light yellow and unlocked;
calculations are black; links to other sheets are green; catalog data is dark grey; the key answers
are bold on light blue. Formula cells are locked and every sheet is protected without a password, so
a user can only type into input cells (and can unprotect a sheet from the menu when they need to).
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

__all__ = ["FMT", "STYLE"]

# --- number formats -------------------------------------------------------------------------------
FMT = {
    "money": "#,##0.00",
    "money0": "#,##0",
    "money_small": "#,##0.000000",
    "price": "#,##0.000",
    "count": "#,##0",
    "int": "0",
    "ratio": "0.00",
    "ratio4": "0.0000",
    "share": "0.0%",
    "gb": "#,##0.00",
    "seconds": "0.00000",
    "sci": "0.000E+00",
    "volume": "#,##0",
    "text": "@",
    "general": "General",
}

# --- styles ---------------------------------------------------------------------------------------
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "Calibri"

STYLE: dict[str, dict[str, Any]] = {
    "input": dict(
        font=Font(name=_FONT, color="0000FF"),
        fill=PatternFill("solid", fgColor="FFF2CC"),
        border=_BOX,
        protection=Protection(locked=False),
    ),
    "calc": dict(font=Font(name=_FONT, color="000000")),
    "link": dict(font=Font(name=_FONT, color="008000")),
    "data": dict(font=Font(name=_FONT, color="404040")),
    "const": dict(font=Font(name=_FONT, color="7F6000")),
    "answer": dict(
        font=Font(name=_FONT, bold=True, color="000000"), fill=PatternFill("solid", fgColor="DDEBF7"), border=_BOX
    ),
    "check": dict(font=Font(name=_FONT, color="C00000")),
    "warning": dict(font=Font(name=_FONT, color="9C5700")),
    "label": dict(font=Font(name=_FONT, color="000000")),
    "unit": dict(font=Font(name=_FONT, color="595959", italic=True)),
    "note": dict(font=Font(name=_FONT, color="595959"), alignment=Alignment(wrap_text=False)),
    "header": dict(
        font=Font(name=_FONT, bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="1F4E78"),
        alignment=Alignment(vertical="center", wrap_text=True),
    ),
    "section": dict(font=Font(name=_FONT, bold=True, color="1F4E78", size=12)),
    "title": dict(font=Font(name=_FONT, bold=True, color="1F4E78", size=16)),
    "subtitle": dict(font=Font(name=_FONT, italic=True, color="595959")),
    "bold": dict(font=Font(name=_FONT, bold=True)),
}

STYLE.update(
    {
        f"{k}_r": {**STYLE[k], "alignment": Alignment(horizontal="right")}  # right-aligned variants
        for k in ("calc", "link", "const", "answer", "check", "bold")
    }
)
