"""The template workbook printed by LibreOffice (PDF, then PNG): every sheet prints, numbers are formatted
and no column is too narrow for its numbers ("###")."""

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
    "Constants, lists and input rules",
    "UDF Modules",
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


def test_every_sheet_prints(printed):
    _, _, pages, text = printed
    assert pages >= 12
    for title in TITLES:
        assert title in text, title
    for header in ("key", "provider", "memory", "params"):
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


def test_token_pricing_prints_a_few_pages(printed):
    """The header and the well-known providers' dropdown rows only: no Cloudflare id, no lookup table."""
    _, _, _, text = printed
    pages = [p for p in text.split("\f") if "api_model (dropdown order)" in p]
    assert 1 <= len(pages) <= 4, len(pages)
    assert "as-of date not recorded" in pages[0] or "(as of " in pages[0]
    printed_text = "\f".join(pages)
    assert "deepseek-reasoner" in printed_text and "off-peak" in printed_text
    assert "@cf/" not in text and "tier 1 from" not in text
