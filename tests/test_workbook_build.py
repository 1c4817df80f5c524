"""The template workbook as a file: layout contract, names, formulas, protection, safety, determinism.

These tests read the workbook openpyxl builds (no LibreOffice); test_workbook_recalc.py checks the numbers.
"""

import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from costengine import SCENARIO_KEYS, Scenario
from costengine.token_prices import token_prices_as_of, token_prices_source, token_prices_version
from workbook.builder import SHEET_ORDER, build_workbook, workbook_bytes, write_workbook
from workbook.kit import ALLOWED_FUNCTIONS, put_text
from workbook.sheets.token_pricing import CACHE_NOT_LISTED, SHEET, TOP, api_model_list, dropdown_models

#: Functions that Excel 2010 and LibreOffice 7.4 both have (the workbook may use no other; the build checks each
# formula).
EXCEL_2010 = ALLOWED_FUNCTIONS
ANSWERS = (
    "api_monthly_cost",
    "cloud_monthly_cost",
    "onprem_monthly_cost",
    "cheapest_option",
    "breakeven_api_cloud",
    "breakeven_api_onprem",
    "breakeven_cloud_onprem",
)


@pytest.fixture(scope="module")
def wb():
    return build_workbook()


def _formulas(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    yield ws, c


def _destination(wb, name):
    ((sheet, ref),) = wb.defined_names[name].destinations
    return sheet, ref


def test_sheets_in_order(wb):
    assert wb.sheetnames == list(SHEET_ORDER)
    for required in (
        "README",
        "Inputs",
        "Token Pricing",
        "Hardware",
        "Models",
        "Comparison",
        "Break-even",
        "Curve",
        "Sizing",
        "Fine-tuning",
        "xlwings.conf",
    ):
        assert required in wb.sheetnames


def test_inputs_contract(wb):
    ws = wb["Inputs"]
    assert [ws.cell(1, c).value for c in range(1, 5)] == ["key", "value", "unit", "note"]
    assert [ws.cell(2 + i, 1).value for i in range(len(SCENARIO_KEYS))] == list(SCENARIO_KEYS)
    assert ws.cell(2 + len(SCENARIO_KEYS), 1).value is None


def test_inputs_values_and_blanks():
    s = Scenario(
        requests_per_month=123_456,
        prompt_tokens=777,
        currency="EUR",
        cloud_billing="per_second",
        api_input_price_per_mtok=1.5,
        seconds_per_request=None,
    )
    ws = build_workbook(s)["Inputs"]
    row = {ws.cell(r, 1).value: r for r in range(2, 2 + len(SCENARIO_KEYS))}
    assert ws.cell(row["requests_per_month"], 2).value == 123_456
    assert ws.cell(row["prompt_tokens"], 2).value == 777
    assert ws.cell(row["currency"], 2).value == "EUR"
    assert ws.cell(row["cloud_billing"], 2).value == "per_second"
    assert ws.cell(row["api_input_price_per_mtok"], 2).value == 1.5
    for blank in ("seconds_per_request", "api_output_price_per_mtok", "cloud_gpus_per_replica", "onprem_power_kw"):
        assert ws.cell(row[blank], 2).value is None, blank


def test_every_key_and_answer_is_a_name(wb):
    for i, key in enumerate(SCENARIO_KEYS):
        assert _destination(wb, key) == ("Inputs", f"$B${2 + i}")
    for name in ANSWERS:
        sheet, ref = _destination(wb, name)
        cell = wb[sheet][ref.replace("$", "")]
        assert cell.data_type == "f", name


def test_formulas_use_only_old_functions(wb):
    used = set()
    for _, c in _formulas(wb):
        text = re.sub(r'"[^"]*"', '""', c.value)
        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
    assert used <= EXCEL_2010, used - EXCEL_2010
    assert not used & {"XLOOKUP", "LET", "IFS", "SWITCH", "FILTER", "XMATCH", "CONCAT", "TEXTJOIN", "IFERROR"}


def test_no_hard_coded_numbers_in_formulas(wb):
    # numbers live in cells (Constants sheet, inputs); formulas may only use 0, 1 and 2 structurally
    # (comparisons with zero, one more replica, "m + 2" in the closed form)
    for ws, c in _formulas(wb):
        text = re.sub(r'"[^"]*"', '""', c.value)  # text constants
        text = re.sub(r"CHAR\(\d+\)", '""', text)  # control characters written by their code: text constants too
        text = re.sub(r"\$?[A-Z]{1,3}\$?\d+", "", text)  # cell references
        text = re.sub(r"[A-Za-z_][A-Za-z0-9_.]*", "", text)  # names and functions
        numbers = set(re.findall(r"\d+\.?\d*(?:[eE][-+]?\d+)?", text))
        assert numbers <= {"0", "1", "2"}, (ws.title, c.coordinate, c.value)


def test_every_defined_name_points_at_a_cell_of_this_workbook(wb):
    for name, dn in wb.defined_names.items():
        ((sheet, ref),) = dn.destinations
        assert sheet in wb.sheetnames, name
        assert re.fullmatch(r"\$[A-Z]+\$\d+(:\$[A-Z]+\$\d+)?", ref), (name, ref)


def test_formula_names_are_defined(wb):
    names = {n.lower() for n in wb.defined_names}
    functions = {f.lower() for f in EXCEL_2010}
    for ws, c in _formulas(wb):
        text = re.sub(r'"[^"]*"', '""', c.value)
        text = re.sub(r"'[^']+'!|[A-Za-z]+!", "", text)
        text = re.sub(r"\$?\b[A-Z]{1,3}\$?\d+\b", "", text)  # cell references
        for token in re.findall(r"(?<![A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_(])", text):
            if re.fullmatch(r"[A-Za-z]{1,3}\d+", token) or token.upper() in ("TRUE", "FALSE"):
                continue
            assert token.lower() in names or token.lower() in functions, (ws.title, c.coordinate, token)


def test_protection_inputs_unlocked_formulas_locked(wb):
    for ws in wb.worksheets:
        if ws.title == "xlwings.conf":
            continue
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert c.protection.locked, (ws.title, c.coordinate)
    inputs = wb["Inputs"]
    for r in range(2, 2 + len(SCENARIO_KEYS)):
        assert not inputs.cell(r, 2).protection.locked


#: The reference sheets: hidden and without a print area, so printing the workbook gives the decision sheets
#: (LibreOffice prints a hidden sheet that has a print range; Excel prints the visible sheets).
REFERENCE_SHEETS = ("Token Pricing", "Hardware", "Models", "Cloud Offers", "Servers", "Load Profiles", "Constants")


def test_frozen_panes_print_areas_and_fit_to_width(wb):
    for ws in wb.worksheets:
        reference = ws.title in (*REFERENCE_SHEETS, "xlwings.conf")
        assert bool(ws.print_area) is not reference, ws.title
        assert (ws.sheet_state == "hidden") is reference, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert wb.active.title == "README" and wb.active.sheet_state == "visible"
    for title in ("Inputs", "Comparison", "Sizing", "Token Pricing", "Hardware", "Models", "Curve"):
        assert wb[title].freeze_panes, title


def test_dropdowns_from_the_catalogs(wb):
    ws = wb["Inputs"]
    row = {ws.cell(r, 1).value: r for r in range(2, 2 + len(SCENARIO_KEYS))}
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            lists[rng.coord] = dv.formula1
    expected = {
        "cloud_gpu": "list_gpus",
        "onprem_gpu": "list_gpus",
        "model": "list_models",
        "api_model": "list_api_models",
        "precision": "list_precisions",
        "cloud_billing": "list_billing",
    }
    for key, name in expected.items():
        assert lists[f"B{row[key]}"] == name
        assert name in wb.defined_names


def test_xlwings_conf_sheet(wb):
    ws = wb["xlwings.conf"]
    assert (ws["A1"].value, ws["B1"].value) == ("UDF Modules", "addin.udfs")
    assert ws["A2"].value is None  # the add-in reads settings down to the first empty cell


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2", "@cmd", '=HYPERLINK("x")'])
def test_user_text_never_becomes_a_formula(text):
    s = Scenario(api_model=text, model=text, cloud_gpu=text, onprem_gpu=text)
    ws = build_workbook(s)["Inputs"]
    row = {ws.cell(r, 1).value: r for r in range(2, 2 + len(SCENARIO_KEYS))}
    for key in ("api_model", "model", "cloud_gpu", "onprem_gpu"):
        cell = ws.cell(row[key], 2)
        assert cell.data_type == "s" and cell.value == text
        assert cell.quotePrefix


def test_catalog_text_never_becomes_a_formula():
    ws = openpyxl.Workbook().active
    assert isinstance(ws, Worksheet)
    cell = put_text(ws, "A1", "=cmd|' /C calc'!A0")
    assert cell.data_type == "s" and cell.value == "=cmd|' /C calc'!A0"


def test_same_inputs_give_identical_bytes(tmp_path):
    s = Scenario(requests_per_month=5_000_000, model="llama-3.1-8b", cloud_gpu="L40S")
    a = write_workbook(tmp_path / "a.xlsx", s)
    b = write_workbook(tmp_path / "b.xlsx", s)
    assert a.read_bytes() == b.read_bytes() == workbook_bytes(s)
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "llmcost" in core
    assert workbook_bytes(s.replace(requests_per_month=5_000_001)) != a.read_bytes()


def test_write_refuses_to_overwrite(tmp_path):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="t.xlsx exists.*force"):
        write_workbook(target)
    assert target.read_bytes() == b"keep me"
    write_workbook(target, force=True)
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]  # no temporary file left behind


def test_write_into_missing_folder_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        write_workbook(tmp_path / "nope" / "t.xlsx")


def test_written_file_opens_with_the_same_names(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    for name in (*SCENARIO_KEYS, *ANSWERS):
        assert name in wb.defined_names


# --- Token Pricing: source line, flags, the dropdown (tests/test_token_prices.py has the engine's side) ---


def test_the_sheet_shows_source_flags_and_the_dropdown(wb):
    ws = wb[SHEET]
    assert token_prices_source() in ws["A2"].value
    dn = wb.defined_names["list_api_models"]
    ((title, ref),) = dn.destinations
    cells = [c[0].value for c in ws[ref.replace("$", "")]]
    assert title == SHEET and cells == [a.ref for a in dropdown_models()]  # one contiguous column, in order
    tp_ref = wb.defined_names["tp_ref"].destinations
    ((_, lref),) = tp_ref
    refs = [a.ref for a in api_model_list()]
    extra = sum(len(a.services) for a in api_model_list())  # the flex/priority rows, after the ids: no id
    assert [c[0].value for c in ws[lref.replace("$", "")]] == refs + [None] * extra  # lookup intact
    row = {ws.cell(r, 1).value: r for r in range(TOP + 1, TOP + 1 + len(cells))}
    assert ws.cell(row["gpt-4"], 5).value == CACHE_NOT_LISTED  # the cache read column
    assert "off-peak" in ws.cell(row["deepseek-reasoner"], 6).value  # the note column
    assert isinstance(ws.cell(row["gpt-5-mini"], 5).value, float) and not ws.cell(row["gpt-5-mini"], 6).value
    # a reference sheet: not printed with the workbook; shown again, it prints one page wide
    assert ws.sheet_state == "hidden" and not ws.print_area
    assert ws.page_setup.fitToWidth == 1


def test_the_readme_sheet_states_the_as_of_date(wb):
    text = " ".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert f"genai-prices {token_prices_version()}, as of" in text
    if token_prices_as_of() is None:
        assert "as of not recorded by the package" in text
