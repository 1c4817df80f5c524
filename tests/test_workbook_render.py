"""The template workbook printed by LibreOffice (PDF, then PNG): every decision sheet prints (the hidden reference
sheets do not: tests/test_print.py), numbers are formatted and no column is too narrow for its numbers ("###")."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from costengine import Scenario, compare
from costengine.projection import npv
from workbook.builder import write_workbook
from workbook.sheets.sensitivity_data import sensitivity_rows

from lo import to_pdf, to_png

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

TITLES = (
    "LLM hosting cost model",
    "Comparison: API, cloud GPUs",
    "Break-even volumes",
    "Monthly cost against volume",
    "Projection: each option's cost month by month",
    "Sensitivity: which inputs could change the answer",
    "Sizing: memory, GPUs",
    "Fine-tuning with LoRA",
)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    s = Scenario()
    book = write_workbook(folder / "template.xlsx", s)
    (pdf,) = to_pdf([book], folder / "pdf")
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return s, pdf, pages, text


def test_every_decision_sheet_prints(printed):
    _, _, pages, text = printed
    assert pages >= 10
    for title in TITLES:
        assert title in text, title
    for header in ("key", "memory", "parameters"):
        assert header in text


def test_numbers_are_formatted_not_raw(printed):
    s, _, _, text = printed
    table = compare(s)
    for option in ("api", "cloud", "onprem"):
        assert f"{table.loc[option, 'monthly_cost']:,.2f}" in text, option  # thousands separators, 2 decimals
    assert "###" not in text  # a column too narrow for its number prints as ###
    for error in ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "Err:"):
        assert error not in text


def test_pages_render_to_png(printed, tmp_path):
    _, pdf, _, _ = printed
    pngs = to_png(pdf, tmp_path, dpi=40, first=1, last=7)
    assert len(pngs) == 7
    assert all(p.stat().st_size > 5_000 for p in pngs)


def test_projection_and_sensitivity_print_one_page_wide(printed):
    s, _, _, text = printed
    pages = text.split("\f")
    (projection,) = [p for p in pages if "Projection: each option's cost" in p]
    # the last column (paid back) and the chart are on the first page, beside the answers
    assert "paid back:" in projection and "Cumulative cost" in projection
    assert f"{npv(s, 'api'):,.0f}" in projection  # NPV formatted with thousands separators
    (sensitivity,) = [p for p in pages if "Sensitivity: which inputs" in p]
    rows, _ = sensitivity_rows(s)
    assert rows[0]["chart_label"] in sensitivity  # the tornado's first bar is labelled
    assert "llmcost refresh" in sensitivity and "up to date" in sensitivity


def test_token_pricing_is_not_printed_with_the_workbook(printed):
    """A reference sheet (hidden, no print area): the README gives the prices' source and date instead."""
    _, _, _, text = printed
    assert "api_model (dropdown order)" not in text and "@cf/" not in text and "tier 1 from" not in text
    assert "genai-prices" in text and ("as of not recorded" in text or ", as of " in text)
