"""Build the template workbook (openpyxl) and write it to disk atomically and deterministically.

>>> from workbook.builder import build_workbook
>>> wb = build_workbook()
>>> wb.sheetnames[:3]
['README', 'Inputs', 'Comparison']

The workbook computes everything with native formulas (INDEX/MATCH and functions that Excel 2010 and
LibreOffice 7.4 both know), so it works without Python; see ``docs/architecture.md`` (the data path) and
``docs/model.md`` (the equations the formulas compute).
The same scenario gives a byte-identical file: the document timestamps and the zip entries' dates are
fixed, names are written in sorted order and nothing random is used (see :mod:`workbook.xlsx.writer`).
The sheets are created in their final (tab) order first, then filled one by one (:mod:`workbook.sheets`).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from costengine import Catalog, Scenario, load_catalog

from .kit import Book
from .sheets import (
    breakeven,
    comparison,
    constants,
    curve,
    finetune,
    hardware,
    hybrid,
    inputs,
    load_profiles,
    models,
    offers,
    projection,
    readme,
    sensitivity,
    servers,
    sizing,
    token_pricing,
    xlwings_conf,
)
from .xlsx.files import write_bytes_atomically
from .xlsx.writer import xlsx_bytes

__all__ = ["build_workbook", "build_book", "write_workbook", "workbook_bytes", "SHEET_ORDER"]

#: The sheet modules in tab order (each names its sheet ``SHEET`` and fills it with ``build``).
TABS = (
    readme,
    inputs,
    comparison,
    breakeven,
    curve,
    projection,
    sensitivity,
    sizing,
    hybrid,
    finetune,
    token_pricing,
    hardware,
    models,
    offers,
    servers,
    load_profiles,
    constants,
    xlwings_conf,
)
#: The order of the sheets (tabs).
SHEET_ORDER = tuple(tab.SHEET for tab in TABS)


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


def build_workbook(scenario: Scenario | None = None, catalog: Catalog | None = None) -> Workbook:
    """The template workbook for ``scenario`` (the default scenario when None).

    Parameters
    ----------
    scenario : Scenario, optional
        Its values fill the Inputs sheet's column B (blank keys stay empty: "default" or "derive").
    catalog : Catalog, optional
        The catalogs the Sensitivity values are computed with (``llmcost refresh`` passes the shipped ones
        extended by the user's catalog rows); default the shipped catalogs. The catalog sheets always hold the
        shipped rows.

    Returns
    -------
    openpyxl.Workbook
        Sheets in :data:`SHEET_ORDER`; every scenario key and the main answers (``api_monthly_cost``,
        ``cloud_monthly_cost``, ``onprem_monthly_cost``, ``cheapest_option``, ``breakeven_api_cloud``,
        ``breakeven_api_onprem``, ``breakeven_cloud_onprem``) are workbook-level defined names, and so are
        the decision-analysis answers (``payback_month_onprem``, ``payback_month_cloud``, ``npv_api``,
        ``npv_cloud``, ``npv_onprem``, ... on the Projection sheet). The Sensitivity sheet's numbers are
        computed here by the engine, for ``scenario`` (:mod:`workbook.sheets.sensitivity_data`).
    """
    scenario = Scenario() if scenario is None else Scenario.parse(scenario)
    with _collector_paused():
        return build_book(scenario, catalog).wb


def build_book(scenario: Scenario, catalog: Catalog | None = None) -> Book:
    """The :class:`~workbook.kit.Book` of the template for a validated ``scenario`` (collector not paused)."""
    book = Book.new(SHEET_ORDER)
    book.catalog = catalog
    readme.build(book)
    layout = constants.build(book)
    inputs.build(book, scenario, layout)
    tiers = token_pricing.build(book)
    comparison.build(book, tiers)
    breakeven.build(book)
    curve.build(book)
    projection.build(book)
    sensitivity.build(book)
    sizing.build(book)
    hybrid.build(book)
    load_profiles.build(book)
    finetune.build(book)
    hardware.build(book)
    models.build(book)
    offers.build(book)
    servers.build(book)
    xlwings_conf.build(book)
    book.finish()
    wb = book.wb
    wb.active = 0
    when = _document_date()
    props = wb.properties
    props.creator = "llmcost"
    props.lastModifiedBy = None
    props.created = props.modified = when
    props.title = "LLM hosting cost model"
    return book


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
