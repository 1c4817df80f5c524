"""The template printed as a whole by LibreOffice (PDF): the decision sheets only, a handful of pages, nothing cut.

The reference sheets (catalogs, constants, xlwings.conf) are hidden and have no print area, so printing the
workbook skips them (:mod:`workbook.kit.page`); the decision sheets print one page wide with their ids, headers
and messages whole. Text cut by a cell's edge is missing from the PDF's text (``pdftotext``), so the checks read
it: an id must never appear as a fragment. A second workbook has an invalid input typed over, for the messages
that say "check Inputs".
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from costengine.profiles import DEFAULT_PROFILE
from workbook.builder import write_workbook
from workbook.sheets.inputs import key_row

from lo import to_pdf
from typed_over import type_over

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="LibreOffice (soffice) or pdftotext (poppler-utils) is not installed",
    ),
]

#: Most pages the default template may print: 15 today (README 1, Inputs 3, Comparison 1, Break-even 1, Curve 1,
#: Projection 1, Sensitivity 2, Sizing 2, Hybrid 2, Fine-tuning 1); it printed 33 with the catalogs.
MAX_PAGES = 16
#: The first line of each decision sheet, in tab order.
DECISION_TITLES = (
    "LLM hosting cost model",
    "Comparison: API, cloud GPUs",
    "Break-even volumes",
    "Monthly cost against volume",
    "Projection: each option's cost month by month",
    "Sensitivity: which inputs could change the answer",
    "Sizing: memory, GPUs",
    "Hybrid: self-hosted replicas",
    "Fine-tuning with LoRA",
)
#: Text only the reference sheets hold (Token Pricing, the catalogs, Constants, xlwings.conf).
REFERENCE_TEXT = (
    "Token prices of closed models",
    "api_model (dropdown order)",
    "Constants, lists and input rules",
    "Settings for the xlwings add-in (read from A1",
)
#: A load profile no sheet has: the longest message of the Inputs status box.
BAD_PROFILE = "no-such-profile"


def _pdf_text(pdf, layout: bool = False) -> list[str]:
    """The PDF's text, one string per page: in reading order, or as laid out (a row of cells on one line)."""
    cmd = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]  # the text ends with a form feed


def _squeezed(text: str) -> str:
    """``text`` without white space and hyphens: a header wrapped over lines ("hybrid on-" / "prem") reads whole."""
    return re.sub(r"[\s\-]+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    book = write_workbook(folder / "template.xlsx")
    bad = type_over(book, folder / "bad_input.xlsx", {f"B{key_row('load_profile')}": BAD_PROFILE})
    pdfs = to_pdf([book, bad], folder / "pdf")
    texts = {p.stem: _pdf_text(p) for p in pdfs} | {f"{p.stem} layout": _pdf_text(p, layout=True) for p in pdfs}
    return texts | {"path": book}


def test_the_decision_sheets_print_in_a_handful_of_pages(printed):
    pages = printed["template"]
    assert len(pages) <= MAX_PAGES, len(pages)
    text = "\f".join(pages)
    for title in DECISION_TITLES:
        assert title in text, title
    order = [text.index(t) for t in DECISION_TITLES]
    assert order == sorted(order)  # tab order
    for words in REFERENCE_TEXT:
        assert words not in text, words


def test_no_near_empty_spill_over_page(printed):
    for i, page in enumerate(printed["template"], start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert len(lines) >= 15, (i, lines)


def test_projection_prints_on_one_page_with_its_headers_whole(printed):
    pages = printed["template"]
    (at,) = [i for i, p in enumerate(pages) if "Projection: each option's cost month by month" in p]
    assert "Sensitivity: which inputs" in pages[at + 1]  # one page: answers, chart, the default horizon's 36 months
    assert re.search(r"^36$", pages[at], re.M)
    page = _squeezed(pages[at])
    for header in ("hybrid on-prem (amortised)", "hybrid on-prem (cash)", "on-prem (amortised)", "hybrid cloud"):
        assert _squeezed(header) in page, header
    assert _squeezed("cost per unit (instances or servers)") in page
    assert _squeezed("colocation and support per server") in page


def test_ids_print_whole(printed):
    """The default load profile's id wherever it prints (Inputs' value used, the Hybrid sheet): never a fragment."""
    text = "\f".join(printed["template"])
    fragments = set(re.findall(r"[\w.-]*2024-conv[\w.-]*", text)) - {DEFAULT_PROFILE}
    assert not fragments, fragments
    assert text.count(DEFAULT_PROFILE) >= 4  # Inputs (note, value used), Hybrid (profile id, used, note)
    (hybrid,) = [p for p in printed["template layout"] if "Hybrid: self-hosted replicas" in p]
    typed = re.search(r"load_profile \(blank: the default\)\s+24 numbers or id\s+(\S+)", hybrid)
    assert typed and typed.group(1) == DEFAULT_PROFILE  # a blank load_profile shows its default id, not 0


def test_the_hybrid_cost_axis_has_the_currency(printed):
    (charts,) = [p for p in printed["template"] if "self-hosted replicas N" in p]  # the chart's x axis title
    assert "monthly cost [USD/month]" in charts


def test_the_readme_names_the_source_article_in_plain_words(printed):
    (readme,) = [p for p in printed["template"] if "LLM hosting cost model" in p]
    assert "seed" not in readme.lower()
    assert _squeezed("worked example of a source article") in _squeezed(readme)
    assert _squeezed("reference sheets (hidden)") in _squeezed(readme)


def test_messages_that_say_check_inputs_print_whole(printed):
    pages = printed["bad_input"]
    text = _squeezed("\f".join(pages))
    check = f"load_profile: unknown profile {BAD_PROFILE}: pick an id of the Load Profiles sheet or type 24 numbers"
    assert _squeezed(f"1 problem(s); first: load_profile: {check}") in text  # the Inputs status box
    assert _squeezed("Check Inputs: an input is invalid (Inputs sheet, column G).") in text  # the Projection's
    (hybrid,) = [p for p in pages if "Hybrid: self-hosted replicas" in p]
    assert _squeezed(check) in _squeezed(hybrid)  # the Hybrid sheet's check of the load profile
    assert len(pages) <= MAX_PAGES


def _printed_in_order(wanted: str, text: str, slack: float = 1.5) -> bool:
    """Whether the characters of ``wanted`` appear in ``text`` in order, from a place where its first 12 start and
    within ``slack`` times its length: cells on the same line as a wrapped note interleave with its lines in the
    PDF's text, but a line cut off (a row too short for the wrapped text) is missing."""
    start = text.find(wanted[:12])
    while start >= 0:
        at, end = start, start + int(slack * len(wanted)) + 12
        for ch in wanted:
            at = text.find(ch, at, end)
            if at < 0:
                break
            at += 1
        else:
            return True
        start = text.find(wanted[:12], start + 1)
    return False


def test_the_inputs_notes_print_whole(printed):
    """Every key's note on the Inputs sheet, wrapped in a row as tall as its lines: none loses its last line."""
    from openpyxl import load_workbook

    from costengine import SCENARIO_KEYS

    ws = load_workbook(printed["path"])["Inputs"]
    text = _squeezed("\f".join(p for p in printed["template"] if "value used" in p))  # its pages (title row)
    cut = [k for k in SCENARIO_KEYS if not _printed_in_order(_squeezed(ws[f"D{key_row(k)}"].value), text)]
    assert not cut, cut
