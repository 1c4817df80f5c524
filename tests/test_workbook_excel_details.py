"""Excel details of the workbook (issue 23): what a strict reader, a log-scale chart and a comma-decimal locale see.

- every scatter chart has its ``scatterStyle`` (CT_ScatterChart's first element in the OOXML schema);
- no formula holds a raw control character (a tab or line feed is written as CHAR(9), CHAR(10));
- the Curve chart (log axes) reads its own series cells: numbers or #N/A, never a text (drawn as 0);
- text the user types (a load profile, numbers typed as text) is read the same by LibreOffice under a de-DE
  profile (comma decimals) as under the default one.
"""

from __future__ import annotations

import html
import math
import re
import zipfile

import openpyxl
import pytest
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.utils.cell import range_boundaries

from costengine import Scenario, monthly_cost
from costengine.profiles import profile_weights
from workbook.builder import build_workbook, workbook_bytes
from workbook.kit import FormulaLimitError, check_formula
from workbook.sheets import curve

from recalc_store import chart_gap, recalculate

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
#: Formulas in a sheet (cells, shared formulas, conditional formats, validations) and the defined names.
_FORMULA = re.compile(r"<(f|formula|formula1|formula2|definedName)(?: [^>]*)?(?<!/)>([^<]*)</\1>")


@pytest.fixture(scope="module")
def default_xlsx(tmp_path_factory):
    path = tmp_path_factory.mktemp("details") / "default.xlsx"
    path.write_bytes(workbook_bytes(Scenario()))
    return path


def scatter_problems(chart_xml: bytes) -> list[str]:
    """What of CT_ScatterChart's required sequence a chart part misses: ``scatterStyle`` comes first."""
    from xml.etree import ElementTree

    problems = []
    for i, sc in enumerate(ElementTree.fromstring(chart_xml).iter(f"{{{_C}}}scatterChart")):
        first = next(iter(sc), None)
        if first is None or first.tag != f"{{{_C}}}scatterStyle":
            problems.append(f"scatterChart {i}: no scatterStyle first")
        elif first.get("val") not in ("none", "line", "lineMarker", "marker", "smooth", "smoothMarker"):
            problems.append(f"scatterChart {i}: scatterStyle {first.get('val')!r}")
    return problems


def test_every_scatter_chart_has_its_scatter_style(default_xlsx, tmp_path):
    with zipfile.ZipFile(default_xlsx) as z:
        charts = {n: z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")}
    scatter = [n for n, xml in charts.items() if b"scatterChart" in xml]
    assert len(scatter) >= 3  # Curve, Projection, Hybrid
    assert {n: scatter_problems(charts[n]) for n in scatter} == {n: [] for n in scatter}
    # the check fails on openpyxl's bare ScatterChart, which leaves scatterStyle out
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([1, 2])
    bare = ScatterChart()
    bare.series.append(Series(Reference(ws, min_col=2, min_row=1), Reference(ws, min_col=1, min_row=1)))
    ws.add_chart(bare, "D2")
    wb.save(tmp_path / "bare.xlsx")
    with zipfile.ZipFile(tmp_path / "bare.xlsx") as z:
        assert scatter_problems(z.read("xl/charts/chart1.xml")) == ["scatterChart 0: no scatterStyle first"]


def test_no_formula_holds_a_raw_control_character(default_xlsx):
    found, count = [], 0
    with zipfile.ZipFile(default_xlsx) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            for _, text in _FORMULA.findall(z.read(name).decode("utf-8")):
                count += 1
                if re.search(r"[\x00-\x1f]", html.unescape(text)):
                    found.append((name, html.unescape(text)[:120]))
    assert count > 5000 and not found, found[:3]
    # the build refuses them too, naming the cell and the character
    with pytest.raises(FormulaLimitError, match=r"Hybrid!C13: the raw control character U\+0009"):
        check_formula('=SUBSTITUTE(A1,"\t"," ")', "Hybrid", "C13")
    check_formula('=SUBSTITUTE(A1,CHAR(9)," ")', "Hybrid", "C13")


def test_the_curve_chart_reads_its_own_series_cells():
    wb = build_workbook(Scenario())
    ws = wb[curve.SHEET]
    c0, r0, c1, r1 = range_boundaries(curve.CHART_SERIES)
    assert (r1 - r0 + 1, c1 - c0 + 1) == (curve.POINTS, 4)
    (chart,) = ws._charts
    assert chart.x_axis.scaling.logBase == chart.y_axis.scaling.logBase == 10
    refs = [(s.xVal.numRef.f, s.yVal.numRef.f) for s in chart.series]
    for j, (x, y) in enumerate(refs):
        assert x.endswith(f"!$S${r0}:$S${r1}") and y.endswith(f"!${'TUV'[j]}${r0}:${'TUV'[j]}${r1}"), (x, y)
    for r in (r0, r1):
        for c in range(c0, c1 + 1):
            assert "NA()" in ws.cell(r, c).value and '"' not in ws.cell(r, c).value  # no text: a number or #N/A
    assert chart_gap(curve.SHEET, (r0, c0)) and chart_gap(curve.SHEET, f"V{r1}")
    assert not chart_gap(curve.SHEET, (r0, c0 - 1)) and not chart_gap("Inputs", (r0, c0))


@pytest.mark.libreoffice
def test_the_curve_chart_gets_numbers_or_gaps_never_text(tmp_path):
    from typed_over import type_over

    template = tmp_path / "t.xlsx"
    template.write_bytes(workbook_bytes(Scenario()))
    bad = type_over(template, tmp_path / "bad_curve.xlsx", {"B3": 0}, sheet=curve.SHEET)  # from must be > 0
    good, broken = recalculate([template, bad], sheets=(curve.SHEET,))
    c0, r0, c1, r1 = range_boundaries(curve.CHART_SERIES)
    g, b = good.values[curve.SHEET], broken.values[curve.SHEET]
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            assert g[(r, c)] == g[(r, c - c0 + 2)] and isinstance(g[(r, c)], (int, float)), (r, c)
            assert b[(r, c)] == "#N/A", (r, c, b[(r, c)])  # a gap, no text
            assert b[(r, c - c0 + 2)] == "n/a"  # the table keeps its text
    assert "from must be > 0" in b[(3, 4)]  # and the sheet says why
    assert all(e[0] == curve.SHEET and chart_gap(e[0], e[1]) for e in broken.errors), broken.errors[:3]
    assert not good.errors


#: A typed profile with decimal points, commas, semicolons and spaces, and numbers typed as text.
PROFILE = "0.5,0.5;0.25 0.25, 1.5e-1;1,1,1,2.5,3,4,5,5,5,5,4.75,4,3,3,3,2,2,1.25,1"
TYPED_TEXT = {
    "requests_per_month": " 2.5e6 ",
    "prompt_tokens": "1.5e3",
    "peak_to_average": "1.25",
    "output_tokens": "+.4e3",
}


@pytest.mark.libreoffice
def test_typed_text_reads_the_same_in_de_de(tmp_path):
    s = Scenario(**TYPED_TEXT, load_profile=PROFILE)  # the engine reads them as numbers
    assert (s.requests_per_month, s.prompt_tokens, s.peak_to_average, s.output_tokens) == (2.5e6, 1500, 1.25, 400)
    wb = build_workbook(Scenario())
    ws = wb["Inputs"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for key, text in {**TYPED_TEXT, "load_profile": PROFILE}.items():
        ws.cell(rows[key], 2).value = text
    wb.save(tmp_path / "typed.xlsx")
    en, de = recalculate([tmp_path / "typed.xlsx"]) + recalculate([tmp_path / "typed.xlsx"], profile="de-DE")
    assert not en.errors and not de.errors, (en.errors[:3], de.errors[:3])
    # the profile and the numbers read as the engine reads them, in both locales
    shares = profile_weights(s.load_profile)
    for book in (en, de):
        assert book.cell("load_profile_check") in (None, "")
        assert [w for (w,) in book.range("hy_shares")] == pytest.approx(list(shares), rel=1e-12)
        assert book.cell("load_profile_used") == s.load_profile  # "0.5,0.5,0.25,...": points, in both locales
        for option in ("api", "cloud", "onprem"):
            got, want = book.cell(f"{option}_monthly_cost"), monthly_cost(s, option)
            assert math.isclose(got, want, rel_tol=1e-9), (option, got, want)
    # every number of every sheet the same: nothing typed is read differently
    differ = [
        (sheet, rc, v, de.values[sheet].get(rc))
        for sheet, cells in en.values.items()
        for rc, v in cells.items()
        if isinstance(v, (int, float))
        and not (
            isinstance(de.values[sheet].get(rc), (int, float)) and math.isclose(v, de.values[sheet][rc], rel_tol=1e-12)
        )
    ]
    assert not differ, differ[:5]
    # and every text the same but for the separators between digits ("2,500,000" is "2.500.000" in de-DE)
    texts = [
        (sheet, rc, v, de.values[sheet].get(rc))
        for sheet, cells in en.values.items()
        for rc, v in cells.items()
        if isinstance(v, str) and _digits_joined(v) != _digits_joined(de.values[sheet].get(rc))
    ]
    assert not texts, texts[:5]


def _digits_joined(text: object) -> object:
    """``text`` with a point or comma between two digits made one mark (a number as either locale writes it)."""
    return re.sub(r"(?<=\d)[.,](?=\d)", "|", text) if isinstance(text, str) else text
