"""The user's own catalog rows: blank input rows below the shipped GPUs, models, offers and servers, found by
every lookup of the workbook, read by ``llmcost evaluate`` into an extended catalog, kept by ``llmcost refresh``.

The LibreOffice tests take their workbooks from the batched soffice run (fixture ``user_row_books``,
tests/user_rows_cases.py); the made-up rows there stand for no real product.
"""

from __future__ import annotations

import math

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from costengine import CostModelError, Scenario, compare, load_catalog
from costengine.catalogs import HARDWARE_COLUMNS, MODEL_COLUMNS, OFFER_COLUMNS, SERVER_COLUMNS
from costengine.user_rows import UserRow, extend_catalog
from workbook.builder import build_workbook, write_workbook
from workbook.cli import app
from workbook.cli.evaluate import evaluate
from workbook.sheets.catalog_user import USER_ROWS
from workbook.xlsx.catalog_rows import USER_ROW_NAMES, read_user_rows, workbook_catalog

from recalc_store import chart_gap
from user_rows_cases import FAULTS, GPU, MODEL, OFFER_H100, OFFER_X, SERVER, type_rows

runner = CliRunner()
ANSWERS = (
    "api_monthly_cost",
    "cloud_monthly_cost",
    "onprem_monthly_cost",
    "cheapest_option",
    "breakeven_api_cloud",
    "breakeven_api_onprem",
    "breakeven_cloud_onprem",
)
TABLE_COLUMNS = {"gpus": HARDWARE_COLUMNS, "models": MODEL_COLUMNS, "offers": OFFER_COLUMNS, "servers": SERVER_COLUMNS}
ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}
LISTS = {
    "gpus": ("list_gpus", "hw"),
    "models": ("list_models", "md"),
    "offers": ("list_offers", "of"),
    "servers": ("list_servers", "sv"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_workbook(tmp_path_factory.mktemp("tpl") / "template.xlsx")


def _dest(wb, name):
    ((sheet, ref),) = wb.defined_names[name].destinations
    return sheet, range_boundaries(ref.replace("$", ""))


def test_the_names_and_lists_cover_the_user_rows_which_are_unlocked_inputs(template):
    wb = openpyxl.load_workbook(template)
    for table, (list_name, prefix) in LISTS.items():
        sheet, (c0, r0, c1, r1) = _dest(wb, USER_ROW_NAMES[table])
        assert r1 - r0 + 1 == USER_ROWS
        _, (_, lr0, _, lr1) = _dest(wb, list_name)
        assert (lr0, lr1) == (2, r1), table  # the dropdown of Inputs and every MATCH see the user rows
        numeric = [n for n in wb.defined_names if n.startswith(f"{prefix}_") and not n.startswith(f"{prefix}_user")]
        assert len(numeric) >= 4
        for n in numeric:
            assert _dest(wb, n)[1][3] == r1, n  # INDEX(hw_memory_gb, row) reaches a user row
        ws = wb[sheet]
        assert ws.cell(r0 - 2, 2).value.startswith("your rows: add ")
        for r in (r0, r1):
            for c in range(c0, c1 + 1):
                assert not ws.cell(r, c).protection.locked, (sheet, r, c)
        assert ws.cell(r0 - 1, 1 + list(TABLE_COLUMNS[table]).index("as_of")).value == "required"


def test_blank_user_rows_change_nothing(template):
    rows, problems = read_user_rows(template)
    assert set(rows) == set(USER_ROW_NAMES) and not any(rows.values()) and not problems
    assert workbook_catalog(template) is load_catalog()
    ev = evaluate(template)
    want = compare(Scenario())
    for option in ("api", "cloud", "onprem"):
        assert ev.answers.table.loc[option, "monthly_cost"] == want.loc[option, "monthly_cost"]


#: The Hardware sheet's first user row: a header, the shipped GPUs, then the user block's marker and tag rows.
HW_FIRST_USER_ROW = len(load_catalog().gpus) + 4


def _user(values: dict, row: int = 40, table: str = "gpus") -> UserRow:
    sheet = {"gpus": "Hardware", "models": "Models", "offers": "Cloud Offers", "servers": "Servers"}[table]
    cells = {c: f"{sheet}!{openpyxl.utils.get_column_letter(j + 1)}{row}" for j, c in enumerate(TABLE_COLUMNS[table])}
    return UserRow(f"{sheet} row {row}", cells, values)


def test_extend_catalog_appends_the_users_rows_after_the_shipped_ones():
    base = load_catalog()
    cat = extend_catalog(
        base,
        {
            "gpus": [_user(GPU)],
            "models": [_user(MODEL, table="models")],
            "offers": [_user(OFFER_X, table="offers")],
            "servers": [_user(SERVER, table="servers")],
        },
    )
    assert list(cat.gpus)[:-1] == list(base.gpus) and cat.gpu("test-gpu-x").memory_gb == 96.0
    assert cat.model("TEST-MODEL-30B").layers == 48 and isinstance(cat.model("test-model-30b").layers, int)
    assert cat.offers_for("TEST-GPU-X")[0].id == OFFER_X["id"]
    assert cat.standard_server("TEST-GPU-X").id == SERVER["id"]
    assert len(load_catalog().gpus) == len(base.gpus)  # the shipped catalog is untouched


@pytest.mark.parametrize(
    "change, key, problem",
    [
        ({"memory_gb": None}, "memory_gb (Hardware!D40)", "is empty"),
        ({"memory_gb": "96"}, "memory_gb (Hardware!D40)", "must be a number"),
        ({"memory_gb": -1}, "memory_gb (Hardware!D40)", "must be a positive number"),
        ({"id": "H100-sxm"}, "id (Hardware!A40)", "repeats the id of a shipped row"),
        ({"id": 5090}, "id (Hardware!A40)", "must be text"),
        ({"as_of": "1 Dec 2026"}, "as_of (Hardware!N40)", "must be a date typed as text YYYY-MM-DD"),
        ({"interconnect": "NVLink"}, "interconnect (Hardware!R40)", "must be one of nvlink, xgmi, pcie"),
        ({"serving_efficiency": 1.5}, "serving_efficiency (Hardware!T40)", "must be at most 1"),
        ({"spec_source": " "}, "spec_source (Hardware!K40)", "is empty"),
    ],
)
def test_a_bad_user_gpu_row_names_its_cell(change, key, problem):
    with pytest.raises(CostModelError) as exc:
        extend_catalog(load_catalog(), {"gpus": [_user({**GPU, **change})]})
    assert exc.value.key == key and problem in exc.value.problem, exc.value


def test_other_tables_check_counts_gpus_and_repeats():
    with pytest.raises(CostModelError) as exc:
        extend_catalog(
            load_catalog(),
            {
                "models": [_user({**MODEL, "layers": 47.5}, table="models")],
                "offers": [_user(OFFER_X, table="offers")],  # its GPU is not in the catalog
                "servers": [_user(dict(SERVER, gpu="H100-SXM", price_source=""), 41, "servers")],
            },
        )
    assert exc.value.lines() == [
        "layers (Models!E40): must be a whole number (got 47.5)",
        "gpu (Cloud Offers!E40): GPU 'TEST-GPU-X' is not on the Hardware sheet",
        "price_source (Servers!K41): is empty for a figure it should source",
    ]
    with pytest.raises(CostModelError) as exc:
        extend_catalog(load_catalog(), {"gpus": [_user(GPU), _user(dict(GPU, id="test-gpu-x"), 41)]})
    assert exc.value.key == "id (Hardware!A41)" and "an earlier row of yours" in exc.value.problem
    blank = _user({c: None for c in HARDWARE_COLUMNS})
    assert extend_catalog(load_catalog(), {"gpus": [blank]}).gpus.keys() == load_catalog().gpus.keys()


def _with_rows(tmp_path, scenario=None, **tables):
    wb = build_workbook(scenario)
    for table, rows in tables.items():
        type_rows(wb, table, rows)
    path = tmp_path / "mine.xlsx"
    wb.save(path)
    return path


def test_evaluate_uses_the_user_rows_and_names_a_bad_one(tmp_path):
    path = _with_rows(
        tmp_path,
        Scenario(cloud_gpu="TEST-GPU-X", onprem_gpu="TEST-GPU-X"),
        gpus=[GPU],
        offers=[OFFER_X],
        servers=[SERVER],
    )
    ev = evaluate(path)
    assert ev.answers.table.loc["cloud", "offer"] == OFFER_X["id"]
    assert ev.answers.table.loc["onprem", "offer"] == SERVER["id"]
    bad = _with_rows(tmp_path, gpus=[dict(GPU, tdp_w=None)])
    result = runner.invoke(app, ["evaluate", str(bad)])
    assert result.exit_code == 1
    assert f"tdp_w (Hardware!H{HW_FIRST_USER_ROW}): is empty" in result.output


def _cells(path, table):
    wb = openpyxl.load_workbook(path)
    sheet, (c0, r0, c1, r1) = _dest(wb, USER_ROW_NAMES[table])
    ws = wb[sheet]
    return [[ws.cell(r, c).value for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]


@pytest.mark.parametrize("force", [False, True])
def test_refresh_keeps_the_user_rows(tmp_path, force):
    path = _with_rows(tmp_path, gpus=[GPU], models=[MODEL], offers=[OFFER_H100], servers=[dict(SERVER, gpu="H100-SXM")])
    before = {t: _cells(path, t) for t in USER_ROW_NAMES}
    assert before["gpus"][0][0] == GPU["id"]
    result = runner.invoke(app, ["refresh", str(path)] + (["--force"] if force else []))
    assert result.exit_code == 0, result.output
    assert "4 catalog rows of yours (Hardware: 1, Models: 1, Cloud Offers: 1, Servers: 1)" in result.stdout, (
        result.stdout
    )
    new = path if force else tmp_path / "mine-refreshed.xlsx"
    assert {t: _cells(new, t) for t in USER_ROW_NAMES} == before
    assert evaluate(new).answers.table.loc["cloud", "offer"] == OFFER_H100["id"]


def _not_computed(path) -> list:
    ws = openpyxl.load_workbook(path)["Inputs"]
    return [c.value for row in ws.iter_rows() for c in row if str(c.value or "").startswith("not computed")]


def test_refresh_computes_the_sensitivity_values_with_the_user_rows(tmp_path):
    path = _with_rows(
        tmp_path,
        Scenario(cloud_gpu="TEST-GPU-X", onprem_gpu="TEST-GPU-X"),
        gpus=[GPU],
        offers=[OFFER_X],
        servers=[SERVER],
    )
    assert any("unknown GPU 'TEST-GPU-X'" in v for v in _not_computed(path))  # built with the shipped catalogs
    result = runner.invoke(app, ["refresh", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert _not_computed(path) == []


def test_refresh_finds_user_rows_where_an_older_file_kept_them(tmp_path):
    """A release that ships more catalog rows moves the block down: the rows follow their block's name."""
    path = _with_rows(tmp_path, gpus=[GPU])
    wb = openpyxl.load_workbook(path)
    sheet, (c0, r0, c1, r1) = _dest(wb, "hw_user_rows")
    ws = wb[sheet]
    for c in range(c0, c1 + 1):  # the old file's block starts two rows lower
        ws.cell(r0 + 2, c).value, ws.cell(r0, c).value = ws.cell(r0, c).value, None
    first, last = openpyxl.utils.get_column_letter(c0), openpyxl.utils.get_column_letter(c1)
    wb.defined_names["hw_user_rows"] = DefinedName(
        "hw_user_rows", attr_text=f"{sheet}!${first}${r0 + 2}:${last}${r1 + 2}"
    )
    wb.save(path)
    result = runner.invoke(app, ["refresh", str(path), "--force"])
    assert result.exit_code == 0, result.output
    rows = _cells(path, "gpus")
    assert rows[0][0] == GPU["id"] and rows[0][3] == GPU["memory_gb"]
    assert all(v is None for row in rows[1:] for v in row)


# --- recalculated by LibreOffice (the batched soffice run) ---------------------------------------------------

#: LibreOffice's values come from tests/data/recalc_store where stored (recalc_store.py skips without soffice otherwise)
libreoffice = pytest.mark.libreoffice


def _error_values(book) -> list:
    return [
        (sheet, rc, v)
        for sheet, cells in book.values.items()
        for rc, v in cells.items()
        # the Curve chart's own series cells: #N/A is how a chart skips a point (recalc_store.chart_gap)
        if isinstance(v, str) and (v in ERRORS or v.startswith("Err:")) and not chart_gap(sheet, rc)
    ]


def _close(got, want) -> bool:
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


def _engine(ev) -> dict:
    a = ev.answers
    out = {f"{o}_monthly_cost": float(a.table.loc[o, "monthly_cost"]) for o in ("api", "cloud", "onprem")}
    out["cheapest_option"] = a.cheapest
    out.update({f"breakeven_{x}_{y}": "none" if v is None else v for (x, y), v in a.breakevens.items()})
    return out


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize("name", ["user_rows", "user_offer"])
def test_a_typed_catalog_row_recalculated_equals_evaluate(user_row_books, name):
    book, typed = user_row_books[name]
    ev = evaluate(typed)
    for key, want in _engine(ev).items():
        assert _close(book.name(key), want), (name, key, book.name(key), want)
    r = book.row_of("Comparison", "offer or server")
    for j, option in enumerate(("api", "cloud", "onprem")):
        assert (book.at("Comparison", r, 3 + j) or "") == ev.answers.table.loc[option, "offer"], (name, option)
    standard = load_catalog().standard_server("H100-SXM").id
    picked = {"user_rows": (OFFER_X["id"], SERVER["id"]), "user_offer": (OFFER_H100["id"], standard)}[name]
    assert (book.at("Comparison", r, 4), book.at("Comparison", r, 5)) == picked
    assert book.name("catalog_problems") == 0
    assert not _error_values(book), _error_values(book)[:5]


@pytest.mark.libreoffice
@libreoffice
@pytest.mark.parametrize(
    "name, key",
    [
        ("bad_user_row", f"memory_gb (Hardware!D{HW_FIRST_USER_ROW})"),
        ("dup_user_row", f"id (Hardware!A{HW_FIRST_USER_ROW})"),
    ],
)
def test_a_bad_catalog_row_gives_its_reason_not_error_values(user_row_books, name, key):
    book, typed = user_row_books[name]
    with pytest.raises(CostModelError) as exc:
        evaluate(typed)
    assert exc.value.key == key
    status = book.name("input_problems_status")
    assert status.startswith("1 problem(s); first: " + key), status
    assert book.name("catalog_problems") == 1
    for answer in ANSWERS:
        assert book.name(answer) == "check Inputs", answer
    assert not _error_values(book), _error_values(book)[:5]


@pytest.mark.libreoffice
@libreoffice
def test_the_check_column_names_the_cell_the_engine_names(user_row_books):
    """One fault per row (tests/user_rows_cases.py FAULTS): the sheet's check and the engine agree on the cell."""
    book, typed = user_row_books["fault_rows"]
    wb = openpyxl.load_workbook(typed)
    rows, _ = read_user_rows(typed)
    checked = 0
    for table, (_, prefix) in LISTS.items():
        sheet, (col, *_rest) = _dest(wb, f"{prefix}_user_check")
        assert len(rows[table]) == len(FAULTS[table])
        for row in rows[table]:
            with pytest.raises(CostModelError) as exc:
                extend_catalog(load_catalog(), {table: [row]})
            r = int(row.label.rsplit(" ", 1)[1])
            shown = book.at(sheet, r, col)
            assert isinstance(shown, str) and shown.startswith(f"{exc.value.key}: "), (row.label, shown, exc.value)
            checked += 1
    assert checked == sum(map(len, FAULTS.values()))
    assert book.name("catalog_problems") == checked
