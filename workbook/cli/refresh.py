"""Refresh a filled template: write it again for the inputs it holds (``llmcost refresh WORKBOOK``).

A template's Sensitivity sheet holds values computed by Python when the file was written, and its formulas are
those of the llmcost that wrote it; refreshing brings both up to date. The inputs are read back with
:func:`workbook.xlsx.reader.read_inputs` (which treats the file as untrusted) and validated by the engine; the
template is built again for them, the user's work is carried over from the old file
(:mod:`workbook.cli.refresh_carry`: every input cell, the Inputs notes, the sheets and names the user added)
and the result is written atomically (a temporary file in the same folder renamed into place).

Where it goes: ``WORKBOOK-refreshed.xlsx`` beside it, or ``--output FILE``; an existing file is replaced only
with ``--force``, and ``--force`` without ``--output`` refreshes WORKBOOK in place. The workbook is rebuilt
rather than edited because openpyxl does not keep every chart and drawing of the generated sheets when it
loads a file.

A number typed as text (``'20000000``) is kept as typed; the engine reads it as the number, and the
refresh says so in a note, naming the key and the cell, so that it is not silently turned into a number.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from costengine import CostModelError, Scenario

from ..builder import SHEET_ORDER, build_workbook
from ..xlsx.catalog_rows import workbook_catalog
from ..xlsx.files import write_bytes_atomically
from ..xlsx.reader import InputCells, load_untrusted, read_inputs
from ..xlsx.writer import xlsx_bytes
from .refresh_carry import Carried, carry_over

__all__ = ["refresh_workbook", "scenario_of", "Refreshed", "default_output", "text_numbers"]


def scenario_of(path: str | os.PathLike[str], inputs: InputCells | None = None) -> Scenario:
    """The scenario typed into the Inputs sheet of the workbook at ``path``.

    Raises
    ------
    CostModelError
        One problem per bad cell, each named ``key (Inputs!B5)``; or, keyed by the file name, when the
        file is not a readable template.
    """
    inputs = read_inputs(path) if inputs is None else inputs
    problems = list(inputs.problems)
    scenario = None
    try:
        scenario = Scenario.parse(inputs.values)
    except CostModelError as exc:
        problems += exc.problems
    if problems or scenario is None:
        named = [(f"{k} ({inputs.cells[k]})" if k in inputs.cells else k, p) for k, p in problems]
        raise CostModelError(named[0][0], named[0][1], named)
    return scenario


@dataclass(frozen=True)
class Refreshed:
    """What :func:`refresh_workbook` did: the file written, the user's work carried over and notes for people
    (numbers typed as text, what a copied sheet lost)."""

    path: Path
    carried: Carried
    notes: tuple[str, ...]


def default_output(path: str | os.PathLike[str]) -> Path:
    """Where ``llmcost refresh WORKBOOK`` writes without ``--output`` or ``--force``: ``WORKBOOK-refreshed.xlsx``."""
    source = Path(path)
    return source.with_name(f"{source.stem}-refreshed{source.suffix or '.xlsx'}")


def _same(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and os.path.samefile(a, b)


def text_numbers(inputs: InputCells, scenario: Scenario) -> list[str]:
    """A note for each key whose cell holds a number as text, which the engine reads as that number."""
    notes = []
    for key, raw in inputs.values.items():
        used = getattr(scenario, key)
        if isinstance(raw, str) and isinstance(used, (int, float)) and not isinstance(used, bool):
            try:
                float(raw.strip())
            except ValueError:  # a word the key accepts ("none" for a latency target)
                continue
            notes.append(
                f"{key} ({inputs.cells[key]}): holds the text {raw!r}, which is read as the number "
                f"{used:,.15g}; kept as text: type it as a number"
            )
    return notes


def refresh_workbook(
    path: str | os.PathLike[str], *, output: str | os.PathLike[str] | None = None, force: bool = False
) -> Refreshed:
    """Write the template again for the inputs of the workbook at ``path``, keeping the user's work.

    Parameters
    ----------
    path : path-like
        A filled template workbook (``.xlsx``).
    output : path-like, optional
        Where to write. Default: ``path`` itself when ``force``, else :func:`default_output`.
    force : bool
        Allow replacing an existing file (``output``, the default output, or ``path`` itself).

    Raises
    ------
    CostModelError
        An input is invalid (every problem, named ``key (Inputs!B5)``).
    WorkbookFileError
        The file is not a readable template.
    FileExistsError
        The file to write exists (or is ``path``) and ``force`` is False.
    """
    source = Path(path)
    target = Path(output) if output is not None else (source if force else default_output(source))
    if not force and (target.exists() or _same(target, source)):
        raise FileExistsError(errno.EEXIST, "exists", str(target))
    inputs = read_inputs(source)
    scenario = scenario_of(source, inputs)
    old = load_untrusted(source)
    try:  # the Sensitivity values with the user's catalog rows (a bad row: the shipped catalogs; it is kept as typed)
        catalog = workbook_catalog(source)
    except CostModelError:
        catalog = None
    wb = build_workbook(scenario, catalog)
    carried = carry_over(old, wb, SHEET_ORDER)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name ending in .xlsx", str(target))
    write_bytes_atomically(target, xlsx_bytes(wb))
    return Refreshed(target, carried, tuple(text_numbers(inputs, scenario)) + tuple(carried.notes))
