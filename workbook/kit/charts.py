"""Chart pieces shared by the Curve, Projection and Sensitivity sheets."""

from __future__ import annotations

from openpyxl.chart import ScatterChart, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties

from ..xlsx.anchors import cell_span_anchor

__all__ = ["OPTION_COLOURS", "option_line", "scatter_lines", "cell_span_anchor"]

#: Line colour of each option in every chart of the workbook.
OPTION_COLOURS = {
    "api": "2E75B6",
    "cloud": "C55A11",
    "onprem": "548235",
    "hybrid_cloud": "C55A11",
    "hybrid_onprem": "548235",
}  # the hybrids: their option's, dashed


def scatter_lines() -> ScatterChart:
    """A scatter chart for lines (x against y): with its ``scatterStyle``, which the OOXML schema requires
    (CT_ScatterChart's first element; openpyxl leaves it out unless set). "lineMarker" is what Excel writes for
    its "scatter with straight lines"; each series says itself that it has no markers (:func:`option_line`)."""
    return ScatterChart(scatterStyle="lineMarker")


def option_line(ys, xs, option: str, title: str | None = None) -> Series:
    """A plain line series (no markers, not smoothed) in ``option``'s colour; titled from the data when no title."""
    s = Series(ys, xs, title=title, title_from_data=title is None)
    s.marker.symbol = "none"
    s.smooth = False
    dash = "dash" if option.startswith("hybrid") else None
    s.graphicalProperties = GraphicalProperties(
        ln=LineProperties(solidFill=OPTION_COLOURS[option], w=28575, prstDash=dash)
    )
    return s
