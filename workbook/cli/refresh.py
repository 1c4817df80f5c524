"""Refresh a filled template: write it again for the inputs it holds (``llmcost refresh WORKBOOK``).

A template's Sensitivity sheet holds values computed by Python when the file was written; they go stale
when the user changes the Inputs sheet. Refreshing reads the inputs back with
:func:`workbook.xlsx.reader.read_inputs` (which treats the file as untrusted), validates them with the engine and
writes the whole workbook again with :func:`workbook.builder.write_workbook`, which builds it in memory,
writes a temporary file in the same folder and renames it over the target (a killed run leaves the old
file or the new one, never half of one).

Kept: every value of the Inputs sheet's column B (a blank stays blank: default or derived). Not kept:
anything else typed into the workbook (the Curve sheet's from and to, cells or sheets added by hand), since
the result is the template as llmcost writes it for those inputs. The workbook is regenerated rather than
edited because openpyxl drops charts and drawings when it loads a file, so rewriting one sheet in place
would lose the other sheets' charts.
"""

from __future__ import annotations

import os
from pathlib import Path

from costengine import CostModelError, Scenario

from ..builder import write_workbook
from ..xlsx.reader import read_inputs

__all__ = ["refresh_workbook", "scenario_of"]


def scenario_of(path: str | os.PathLike[str]) -> Scenario:
    """The scenario typed into the Inputs sheet of the workbook at ``path``.

    Raises
    ------
    CostModelError
        One problem per bad cell, each named ``key (Inputs!B5)``; or, keyed by the file name, when the
        file is not a readable template.
    """
    inputs = read_inputs(path)
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


def refresh_workbook(path: str | os.PathLike[str], *, output: str | os.PathLike[str] | None = None,
                     force: bool = False) -> Path:
    """Write the template again for the inputs of the workbook at ``path``; returns the file written.

    Parameters
    ----------
    path : path-like
        A filled template workbook (``.xlsx``); its Inputs sheet is read, nothing else.
    output : path-like, optional
        Where to write; default ``path`` itself (replaced atomically).
    force : bool
        Allow replacing an existing ``output`` other than ``path`` (refreshing in place needs no force).

    Raises
    ------
    CostModelError
        The file is not a readable template, or an input is invalid (named ``key (Inputs!B5)``).
    FileExistsError
        ``output`` exists, is not ``path`` and ``force`` is False.
    """
    source = Path(path)
    scenario = scenario_of(source)
    target = source if output is None else Path(output)
    in_place = target.exists() and os.path.samefile(target, source)
    if target.exists() and not in_place and not force:
        raise FileExistsError(f"{target} exists; pass force=True (llmcost refresh --force) to replace it")
    return write_workbook(target, scenario, force=True)
