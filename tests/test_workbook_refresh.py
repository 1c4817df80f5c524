"""The Projection and Sensitivity sheets as built (no LibreOffice), the sensitivity values kept in the Inputs
sheet, and ``refresh_workbook``: a typed-over workbook written again for its inputs.

The numbers of both sheets recalculated: test_workbook_decision.py.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from conftest import MADE_UP
from openpyxl.chart import BarChart, ScatterChart

from costengine import SCENARIO_KEYS, CostModelError, Scenario
from workbook.builder import build_workbook, write_workbook
from workbook.cli.refresh import refresh_workbook
from workbook.sheets.projection import FIRST_ROW, LAST_ROW, MAX_MONTHS
from workbook.sheets.sensitivity import TOP
from workbook.sheets.sensitivity_data import DATA_COLS, FIRST_DATA_ROW, NOT_SWUNG, SNAPSHOT_COL, sensitivity_rows
from workbook.xlsx.reader import WorkbookFileError, read_inputs
from workbook.xlsx.writer import xlsx_bytes

NAMES = (
    "payback_month_onprem",
    "payback_month_cloud",
    "payback_month_onprem_amortised",
    "npv_api",
    "npv_cloud",
    "npv_onprem",
    "npv_onprem_amortised",
    "total_cost_api",
    "total_cost_cloud",
    "total_cost_onprem",
    "total_cost_onprem_amortised",
    "sensitivity_inputs_changed",
    "payback_month_hybrid_cloud",
    "payback_month_hybrid_onprem",
    "payback_month_hybrid_onprem_amortised",
    "npv_hybrid_cloud",
    "npv_hybrid_onprem",
    "npv_hybrid_onprem_amortised",
    "total_cost_hybrid_cloud",
    "total_cost_hybrid_onprem",
    "total_cost_hybrid_onprem_amortised",
)


@pytest.fixture(scope="module")
def wb():
    return build_workbook(Scenario(**MADE_UP))


def _block(ws) -> list[dict]:
    """The sensitivity rows written in the Inputs sheet's hidden columns."""
    rows = []
    for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 40):
        row = {col: ws.cell(r, 14 + j).value for j, col in enumerate(DATA_COLS)}
        if row["rank"] in (None, ""):
            break
        rows.append(row)
    return rows


def _type_over(path, **values) -> None:
    """Type values into the Inputs sheet's column B and save, as a user would (openpyxl)."""
    book = openpyxl.load_workbook(path)
    ws = book["Inputs"]
    rows = {ws.cell(r, 1).value: r for r in range(2, 2 + len(SCENARIO_KEYS))}
    for key, value in values.items():
        ws.cell(rows[key], 2).value = value
    book.save(path)


def test_decision_names_are_defined_and_documented(wb):
    readme = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    for name in NAMES:
        ((sheet, ref),) = wb.defined_names[name].destinations
        assert sheet in ("Projection", "Sensitivity"), name
        assert wb[sheet][ref.replace("$", "")].data_type == "f", name
        assert name in readme, name


def test_projection_table_has_a_row_for_the_longest_horizon(wb):
    ws = wb["Projection"]
    assert LAST_ROW - FIRST_ROW + 1 == MAX_MONTHS == 600
    assert ws.cell(FIRST_ROW, 1).value == '=IF(pj_ok,1,"")'
    assert ws.cell(LAST_ROW, 1).value.startswith(f"=IF(AND(ISNUMBER(A{LAST_ROW - 1}),")
    assert ws.cell(LAST_ROW + 1, 1).value is None


def test_projection_formulas_read_back_from_the_file_as_built(wb):
    # each filled-down column is stored once, as a shared formula; a reader derives every row's formula
    data = xlsx_bytes(wb)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read(f"xl/worksheets/sheet{wb.sheetnames.index('Projection') + 1}.xml").decode()
    assert xml.count('t="shared" ref=') >= 20 and f'ref="B{FIRST_ROW + 1}:B{LAST_ROW}"' in xml
    back = openpyxl.load_workbook(io.BytesIO(data))["Projection"]
    built = [(c.coordinate, c.value) for row in wb["Projection"].iter_rows() for c in row if c.data_type == "f"]
    assert len(built) > 20 * MAX_MONTHS
    assert [(ref, back[ref].value) for ref, _ in built] == built


def test_charts_cover_the_horizon_and_the_top_inputs(wb):
    (chart,) = wb["Projection"]._charts
    assert isinstance(chart, ScatterChart) and len(chart.series) == 5  # the three options and the two hybrids
    assert not chart.visible_cells_only  # it reads hidden columns
    for s in chart.series:
        for ref in (s.xVal.numRef.f, s.yVal.numRef.f):
            assert re.search(r"\$(\d+):\$[A-Z]+\$(\d+)$", ref).groups() == (str(FIRST_ROW), str(LAST_ROW)), ref
    (bars,) = wb["Sensitivity"]._charts
    assert isinstance(bars, BarChart) and bars.type == "bar" and len(bars.series) == 2
    assert bars.x_axis.scaling.orientation == "maxMin"  # largest effect on top
    ref = bars.series[0].val.numRef.f
    first, last = (int(part.rsplit("$", 1)[1]) for part in ref.split("!")[1].split(":"))
    assert last - first + 1 == TOP


def test_sensitivity_values_are_kept_in_hidden_input_columns(wb):
    ws = wb["Inputs"]
    for col in (SNAPSHOT_COL, "N", "AL"):
        assert ws.column_dimensions[col].hidden, col
    assert ws.cell(1, 14).value == "rank" and ws.cell(1, 14 + len(DATA_COLS) - 1).value == "note"
    values = Scenario(**MADE_UP).model_dump()
    for i, key in enumerate(SCENARIO_KEYS):  # the snapshot equals what column B holds
        snap = ws[f"{SNAPSHOT_COL}{2 + i}"].value
        if key in NOT_SWUNG:  # no effect on the monthly cost: a live link, never stale
            assert snap == f"=B{2 + i}", key
        elif values[key] is None:
            assert ws.cell(2 + i, 2).value is None and snap in (None, ""), key
        else:
            assert snap == ws.cell(2 + i, 2).value, key
    assert NOT_SWUNG == {"growth_rate_monthly", "horizon_months", "discount_rate_annual"}


def test_sensitivity_by_hand_on_made_up_prices(wb):
    # api   = 2e6 x (800 x (0.75 x 3 + 0.25 x 0.3) + 400 x 12) / 1e6 x (1 - 0.2 x 0.5) + 100 = 12,088 a month
    # onprem = 3,000 staff + 3 servers x (80,000 / 36 + 2 kW x 1.4 x 730 h x 0.2 + 500) = 12,393.07 a month
    # lead of the API = 305.07; the output price at +25% adds 2e6 x 400 x 3 / 1e6 x 0.9 = 2,160 to the API
    rows, meta = sensitivity_rows(Scenario(**MADE_UP))
    assert meta["cheapest"] == "api" and meta["runner_up"] == "onprem"
    assert meta["lead"] == pytest.approx(3000 + 3 * (80_000 / 36 + 2 * 1.4 * 730 * 0.2 + 500) - 12_088, rel=1e-12)
    out = next(r for r in rows if r["key"] == "api_output_price_per_mtok")
    assert out["api_high"] == pytest.approx(2_160, rel=1e-12) and out["api_low"] == pytest.approx(-2_160, rel=1e-12)
    assert out["lead_high"] == pytest.approx(-2_160, rel=1e-12)  # the API is no longer cheapest: lead < 0
    assert out["flips"] == "yes" and out["cheapest_high"] == "onprem"
    assert "api_output_price_per_mtok" in meta["flippers"]
    size = [max(abs(r[f"lead_{side}"]) for side in ("low", "high")) for r in rows]
    assert size == sorted(size, reverse=True)
    assert _block(wb["Inputs"]) == [
        {c: (r[c] if not isinstance(r[c], bool) else str(r[c])) for c in DATA_COLS} for r in rows
    ]


def test_a_scenario_the_engine_cannot_cost_still_builds_and_says_why():
    # an option that cannot be served leaves the others swung (docs/model.md#infeasible-options) ...
    rows, meta = sensitivity_rows(Scenario(model="llama-3.1-405b", cloud_gpus_per_replica=1, cloud_gpu="L4"))
    assert rows and meta["status"] == "" and {r["cloud_low"] for r in rows} == {"n/a"}
    assert all(isinstance(r["api_low"], float) for r in rows)
    # ... a value the engine cannot read at all (an unknown GPU id) leaves nothing to swing, and says why
    s = Scenario(cloud_gpu="NOPE-GPU")
    rows, meta = sensitivity_rows(s)
    assert rows == [] and meta["status"].startswith("not computed: cloud_gpu: unknown GPU")
    ws = build_workbook(s)["Inputs"]
    statuses = [ws.cell(r, 15).value for r in range(1, 60) if ws.cell(r, 14).value == "status"]
    assert statuses == [meta["status"]]


def _cells(wb, sheet: str) -> dict:
    """The cells with a value (the serialiser writes "" and NaN as empty cells)."""
    return {
        c.coordinate: c.value
        for row in wb[sheet].iter_rows()
        for c in row
        if c.value not in (None, "") and c.value == c.value
    }


def test_refresh_in_place_writes_the_workbook_of_the_typed_inputs(tmp_path):
    s = Scenario(**MADE_UP)
    path = write_workbook(tmp_path / "w.xlsx", s)
    _type_over(path, onprem_price_per_kwh=0.35, requests_per_month=5_000_000, seconds_per_request=None)
    stale, before = _block(openpyxl.load_workbook(path)["Inputs"]), _block(build_workbook(s)["Inputs"])
    assert [r["key"] for r in stale] == [r["key"] for r in before]  # typing changes nothing but the inputs
    assert [r["lead_low"] for r in stale] == pytest.approx([r["lead_low"] for r in before], rel=1e-12)
    assert refresh_workbook(path, force=True).path == path
    want = build_workbook(s.replace(onprem_price_per_kwh=0.35, requests_per_month=5_000_000, seconds_per_request=None))
    got = openpyxl.load_workbook(path)
    assert got.sheetnames == want.sheetnames
    for sheet in want.sheetnames:  # inputs kept, blanks blank, sensitivity recomputed, formulas regenerated
        assert _cells(got, sheet) == _cells(want, sheet), sheet
    assert read_inputs(path).values["onprem_price_per_kwh"] == 0.35
    assert [p.name for p in tmp_path.iterdir()] == ["w.xlsx"]  # no temporary file left


def test_refresh_writes_a_new_file_unless_forced(tmp_path):
    src = write_workbook(tmp_path / "src.xlsx", Scenario(**MADE_UP))
    before = src.read_bytes()
    done = refresh_workbook(src)
    assert done.path == tmp_path / "src-refreshed.xlsx" and src.read_bytes() == before
    with pytest.raises(FileExistsError):  # the default output exists now
        refresh_workbook(src)
    with pytest.raises(FileExistsError):  # in place only with force
        refresh_workbook(src, output=src)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        refresh_workbook(src, output=out)
    assert out.read_bytes() == b"keep me"
    assert refresh_workbook(src, output=out, force=True).path == out
    assert src.read_bytes() == before
    assert _cells(openpyxl.load_workbook(out), "Inputs") == _cells(openpyxl.load_workbook(src), "Inputs")


def test_refresh_refuses_invalid_inputs_and_leaves_the_file(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", Scenario(**MADE_UP))
    _type_over(path, requests_per_month=-5, target_utilization=3)
    before = path.read_bytes()
    with pytest.raises(CostModelError) as err:
        refresh_workbook(path)
    keys = [k for k, _ in err.value.problems]
    row = 2 + SCENARIO_KEYS.index("target_utilization")
    assert keys == ["requests_per_month (Inputs!B2)", f"target_utilization (Inputs!B{row})"]
    assert path.read_bytes() == before


def test_refresh_refuses_a_file_that_is_not_a_template(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(WorkbookFileError, match="not an .xlsx workbook"):
        refresh_workbook(path)
    assert path.read_text() == "not a workbook"
