"""Build the template workbook (openpyxl) and write it to disk atomically and deterministically.

>>> from workbook.builder import build_workbook
>>> wb = build_workbook()
>>> wb.sheetnames[:3]
['README', 'Inputs', 'Comparison']

The workbook computes everything with native formulas (INDEX/MATCH and functions that Excel 2010 and
LibreOffice 7.4 both know), so it works without Python; see PRODUCT.md, "The template workbook".
The same scenario gives a byte-identical file: the document timestamps and the zip entries' dates are
fixed, names are written in sorted order and nothing random is used (see :mod:`workbook.xlsx_writer`).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from costengine import Scenario, load_catalog

from .files import write_bytes_atomically
from .layout import Book
from .sheet_breakeven import build_breakeven
from .sheet_catalogs import build_hardware, build_models, build_token_pricing
from .sheet_comparison import build_comparison
from .sheet_constants import build_constants
from .sheet_curve import build_curve
from .sheet_finetune import build_finetune
from .sheet_inputs import build_inputs
from .sheet_projection import build_projection
from .sheet_readme import build_readme, build_xlwings_conf
from .sheet_sensitivity import build_sensitivity
from .sheet_sizing import build_sizing
from .xlsx_writer import xlsx_bytes

__all__ = ["build_workbook", "write_workbook", "workbook_bytes", "SHEET_ORDER"]

#: The order of the sheets (tabs).
SHEET_ORDER = ("README", "Inputs", "Comparison", "Break-even", "Curve", "Projection", "Sensitivity", "Sizing",
               "Fine-tuning", "Token Pricing", "Hardware", "Models", "Constants", "xlwings.conf")


def _document_date() -> datetime:
    """The document's created/modified date: the newest date of the shipped catalogs (fixed, meaningful)."""
    cat = load_catalog()
    newest = max([g.as_of for g in cat.gpus.values()] + [m.as_of for m in cat.models.values()])
    return datetime.strptime(newest, "%Y-%m-%d")


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a workbook is built or written.

    Building allocates some 100,000 objects (cells, styles, formulas) and no reference cycle that needs
    collecting before the end; the collector would otherwise walk the growing heap many times over
    (a third of the build time). It is switched back on (if it was on) however the block ends.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def build_workbook(scenario: Scenario | None = None) -> Workbook:
    """The template workbook for ``scenario`` (the default scenario when None).

    Parameters
    ----------
    scenario : Scenario, optional
        Its values fill the Inputs sheet's column B (blank keys stay empty: "default" or "derive").

    Returns
    -------
    openpyxl.Workbook
        Sheets in :data:`SHEET_ORDER`; every scenario key and the main answers (``api_monthly_cost``,
        ``cloud_monthly_cost``, ``onprem_monthly_cost``, ``cheapest_option``, ``breakeven_api_cloud``,
        ``breakeven_api_onprem``, ``breakeven_cloud_onprem``) are workbook-level defined names, and so are
        the decision-analysis answers (``payback_month_onprem``, ``payback_month_cloud``, ``npv_api``,
        ``npv_cloud``, ``npv_onprem``, ... on the Projection sheet). The Sensitivity sheet's numbers are
        computed here by the engine, for ``scenario`` (:mod:`workbook.sensitivity_data`).
    """
    scenario = Scenario() if scenario is None else Scenario.parse(scenario)
    with _collector_paused():
        return _build(scenario)


def _build(scenario: Scenario) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    book = Book(wb)
    build_readme(book)
    constants = build_constants(book)
    build_inputs(book, scenario, constants)
    tiers = build_token_pricing(book)
    build_comparison(book, tiers)
    build_breakeven(book)
    build_curve(book)
    build_projection(book)
    build_sensitivity(book)
    build_sizing(book)
    build_finetune(book)
    build_hardware(book)
    build_models(book)
    build_xlwings_conf(book)
    book.finish()
    wb._sheets.sort(key=lambda ws: SHEET_ORDER.index(ws.title))  # tab order; formulas refer across sheets by name
    wb.active = 0
    when = _document_date()
    props = wb.properties
    props.creator = "llmcost"
    props.lastModifiedBy = None
    props.created = props.modified = when
    props.title = "LLM hosting cost model"
    return wb


def workbook_bytes(scenario: Scenario | None = None) -> bytes:
    """The ``.xlsx`` file of :func:`build_workbook` as bytes (deterministic)."""
    wb = build_workbook(scenario)
    with _collector_paused():
        return xlsx_bytes(wb)


def write_workbook(path: str | os.PathLike[str], scenario: Scenario | None = None, *, force: bool = False) -> Path:
    """Write the template workbook for ``scenario`` to ``path`` and return the path.

    Refuses to replace an existing file unless ``force`` (raises :class:`FileExistsError`). The file is
    written to a temporary file in the same folder and renamed into place, so a killed run leaves either
    no file or the whole file, never half of one.
    """
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; pass force=True (llmcost template --force) to replace it")
    if target.exists() and target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; give a file name ending in .xlsx")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: create it first")
    data = workbook_bytes(scenario)
    return write_bytes_atomically(target, data)
