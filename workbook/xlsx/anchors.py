"""Chart anchors that keep a chart to its cells."""

from __future__ import annotations

from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.utils.cell import coordinate_to_tuple

__all__ = ["cell_span_anchor"]


def cell_span_anchor(top_left: str, bottom_right: str) -> TwoCellAnchor:
    """An anchor that makes a chart cover exactly the cells ``top_left:bottom_right`` (inclusive).

    A chart anchored by cells keeps to its cells in Excel and LibreOffice alike, whatever their sizes in cm.
    """
    (r1, c1), (r2, c2) = (coordinate_to_tuple(ref) for ref in (top_left, bottom_right))
    anchor = TwoCellAnchor()
    anchor._from = AnchorMarker(col=c1 - 1, row=r1 - 1)
    anchor.to = AnchorMarker(col=c2, row=r2)
    return anchor
