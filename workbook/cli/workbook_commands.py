"""The ``llmcost`` commands that write or read workbooks: ``template``, ``batch``, ``evaluate``, ``refresh``.

Each parses its arguments and calls one library function (imported when the command runs, so that ``llmcost``
starts fast); :mod:`.commands` registers them on the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import CliError
from .fit import plural
from .options import DEFAULT_TEMPLATE, ForceOpt, Format, RequestsOpt, ScenarioOpt, SetOpt, err, out, reported
from .workers import TASK_TIMEOUT_S


def template(
    path: Annotated[Path, typer.Argument(help="Workbook to write (or a folder for it).")] = Path(DEFAULT_TEMPLATE),
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a template workbook (the default scenario unless told otherwise)."""
    from ..builder import write_workbook
    from .scenario_files import scenario_from

    with reported():
        target = path / DEFAULT_TEMPLATE if path.is_dir() else path
        if target.suffix.lower() != ".xlsx":
            raise CliError(str(path), "must end in .xlsx (Excel opens workbooks by their extension)")
        if target.exists() and not force:
            raise CliError(str(target), "exists; use --force to overwrite")
        written = write_workbook(target, scenario_from(scenario, set_), force=force)
    out.print(f"wrote {written}")


def batch(
    scenarios: Annotated[
        Path, typer.Argument(help="CSV (one scenario per row, optional name column) or YAML list of scenarios.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="DIR", help="Folder for the workbooks and summary.csv.")
    ],
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: the number of cores).")
    ] = None,
    force: ForceOpt = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=1.0,
            metavar="SECONDS",
            help="With --jobs > 1, "
            "seconds a worker may take over one scenario before it is stopped and the row "
            "reported.",
        ),
    ] = TASK_TIMEOUT_S,
) -> None:
    """One workbook per scenario, and DIR/summary.csv (rounded) and DIR/summary_raw.csv (full precision) with each
    scenario's answers or errors."""
    from .batch import run_batch_with_progress

    with reported():
        done = run_batch_with_progress(err, scenarios, output, jobs=jobs, force=force, timeout=timeout)
    failed = f"; {plural(done.failed, 'row')} failed (see above and summary.csv)" if done.failed else ""
    out.print(
        f"wrote {done.written} of {done.total} workbooks, {done.summary} and {done.raw.name} (full precision){failed}",
        highlight=False,
        soft_wrap=True,
    )
    if done.failed:
        raise typer.Exit(1)


def evaluate(
    workbook: Annotated[Path, typer.Argument(help="A filled template (.xlsx).")],
    requests: RequestsOpt = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """Read the Inputs sheet of a filled template, recompute with the engine, print the answers."""
    from .evaluate import evaluate as run
    from .evaluate import evaluation_json
    from .report import render_answers
    from .scenario_files import read_requests

    with reported():
        ev = run(workbook, read_requests(requests))
    if format is Format.json:
        print(evaluation_json(ev))
        return
    out.print(
        f"{workbook}: {len(ev.inputs.values)} inputs read from the Inputs sheet (blank ones use the "
        "defaults or are derived)"
    )
    render_answers(out, ev.answers)
    for line in ev.unusual:
        out.print(f"[yellow]unusual[/yellow] {line}", highlight=False)


def refresh(
    workbook: Annotated[Path, typer.Argument(help="A filled template (.xlsx) to write again.")],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write here (default: WORKBOOK-refreshed.xlsx beside it)."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", "-f", help="Replace an existing file; without --output, refresh WORKBOOK in place."),
    ] = False,
) -> None:
    """Write a filled template again for the inputs it holds, keeping every input cell, the Inputs notes and
    the sheets you added (formulas and the Sensitivity sheet regenerated)."""
    from .refresh import refresh_workbook

    with reported():
        done = refresh_workbook(workbook, output=output, force=force)
    for line in done.notes:
        err.print(f"note: {line}", markup=False)
    kept = sum(done.carried.cells.values())
    sheets = (
        f" and {plural(len(done.carried.sheets), 'sheet')} of yours ({', '.join(done.carried.sheets)})"
        if done.carried.sheets
        else ""
    )
    rows = done.carried.catalog_rows
    if rows:
        each = ", ".join(f"{s}: {n}" for s, n in rows.items())
        sheets += f", {plural(sum(rows.values()), 'catalog row')} of yours ({each})"
    out.print(
        f"wrote {done.path} ({kept} input and note cells kept{sheets})", highlight=False, markup=False, soft_wrap=True
    )
