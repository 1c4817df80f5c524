"""``llmcost``: the command line. Parses arguments and calls the library; no logic lives here.

Errors of the engine (:class:`~costengine.CostModelError`), the CLI's own file and usage errors
(:class:`~workbook.cli.errors.CliError`) and unreadable workbooks (:class:`~workbook.xlsx.reader.WorkbookFileError`;
both are :class:`~workbook.xlsx.files.FileProblem`) become one ``subject: problem`` line per problem on stderr
and exit code 1; typer's usage errors exit with 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from costengine import CostModelError

from ..xlsx.files import FileProblem
from .errors import CliError
from .workers import TASK_TIMEOUT_S

app = typer.Typer(
    name="llmcost",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="API, cloud GPUs or on-premises? LLM hosting cost model: templates, batches, comparisons.",
)
#: Output for people. When piped (not a terminal) the tables are laid out 120 columns wide, not 80.
out = Console(highlight=False, width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_TEMPLATE = "llm-cost-model.xlsx"
ScenarioOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--scenario", "-s", metavar="FILE", help="One scenario: YAML mapping, CSV with one row, or key,value CSV."
    ),
]
SetOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--set", metavar="KEY=VALUE", help="Override one scenario key (repeatable), e.g. --set requests_per_month=5e6."
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing files.")]
RequestsOpt = Annotated[
    Optional[float],
    typer.Option(
        "--requests", "-r", min=0, metavar="N", help="Requests per month to compare at (default: the scenario's)."
    ),
]


class Format(str, Enum):
    table = "table"
    json = "json"


class CalibrateFormat(str, Enum):
    table = "table"
    json = "json"
    set = "set"


class Kind(str, Enum):
    gpus = "gpus"
    models = "models"
    offers = "offers"
    servers = "servers"
    prices = "prices"
    keys = "keys"


@contextmanager
def _reported() -> Iterator[None]:
    """Turn the engine's errors, the CLI's file and usage errors and output-file errors into lines on stderr
    and exit code 1."""
    try:
        yield
    except (CostModelError, FileProblem) as exc:
        for line in exc.lines():
            err.print(line, markup=False)
        raise typer.Exit(1) from None
    except FileExistsError as exc:
        err.print(f"{exc.filename}: exists; use --force to overwrite" if exc.filename else str(exc), markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"{exc.filename or ''}: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None


@app.command()
def template(
    path: Annotated[Path, typer.Argument(help="Workbook to write (or a folder for it).")] = Path(DEFAULT_TEMPLATE),
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a template workbook (the default scenario unless told otherwise)."""
    from ..builder import write_workbook
    from .scenario_files import scenario_from

    with _reported():
        target = path / DEFAULT_TEMPLATE if path.is_dir() else path
        if target.suffix.lower() != ".xlsx":
            raise CliError(str(path), "must end in .xlsx (Excel opens workbooks by their extension)")
        if target.exists() and not force:
            raise CliError(str(target), "exists; use --force to overwrite")
        written = write_workbook(target, scenario_from(scenario, set_), force=force)
    out.print(f"wrote {written}")


@app.command()
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

    with _reported():
        done = run_batch_with_progress(err, scenarios, output, jobs=jobs, force=force, timeout=timeout)
    failed = f"; {done.failed} rows failed (see above and summary.csv)" if done.failed else ""
    out.print(
        f"wrote {done.written} of {done.total} workbooks, {done.summary} and {done.raw.name} (full precision){failed}",
        highlight=False,
        soft_wrap=True,
    )
    if done.failed:
        raise typer.Exit(1)


@app.command()
def compare(
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    requests: RequestsOpt = None,
    format: Annotated[Format, typer.Option("--format", help="table for people, json for scripts.")] = Format.table,
    projection: Annotated[
        bool,
        typer.Option(
            "--projection", help="Also the month-by-month projection: growth, cumulative costs, payback month, NPV."
        ),
    ] = False,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Also the one-at-a-time sensitivity of each input (tornado table).")
    ] = False,
    swing: Annotated[
        float,
        typer.Option(
            "--swing", min=0.0, max=0.99, help="Low/high swing of each input for --sensitivity (0.25 = -25%/+25%)."
        ),
    ] = 0.25,
    hybrid: Annotated[
        bool,
        typer.Option(
            "--hybrid",
            help="Also the hybrid: self-hosted replicas for the "
            "base load of the day's load_profile, the overflow to the API.",
        ),
    ] = False,
) -> None:
    """Compare API, cloud and on-premises: monthly cost, GPUs, break-even volumes, cheapest option."""
    import json

    from .report import answer_records, answers, answers_json, render_answers
    from .report_decision import (
        hybrid_records,
        projection_records,
        render_hybrid,
        render_projection,
        render_sensitivity,
        sensitivity_records,
    )
    from .scenario_files import scenario_from

    with _reported():
        s = scenario_from(scenario, set_)
        ans = answers(s, requests)
        if format is Format.json:
            if not (projection or sensitivity or hybrid):
                print(answers_json(ans))
                return
            doc: dict = {"comparison": answer_records(ans)}
            if projection:
                doc["projection"] = projection_records(s)
            if sensitivity:
                doc["sensitivity"] = sensitivity_records(s, swing)
            if hybrid:
                doc["hybrid"] = hybrid_records(s, requests)
            print(json.dumps(doc, indent=2, allow_nan=False))
            return
        render_answers(out, ans)
        if hybrid:
            render_hybrid(out, s, requests)
        if projection:
            render_projection(out, s)
        if sensitivity:
            render_sensitivity(out, s, swing)


@app.command()
def evaluate(
    workbook: Annotated[Path, typer.Argument(help="A filled template (.xlsx).")],
    requests: RequestsOpt = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """Read the Inputs sheet of a filled template, recompute with the engine, print the answers."""
    from .evaluate import evaluate as run
    from .evaluate import evaluation_json
    from .report import render_answers

    with _reported():
        ev = run(workbook, requests)
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


@app.command()
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

    with _reported():
        done = refresh_workbook(workbook, output=output, force=force)
    for line in done.notes:
        err.print(f"note: {line}", markup=False)
    kept = sum(done.carried.cells.values())
    sheets = (
        f" and {len(done.carried.sheets)} sheets of yours ({', '.join(done.carried.sheets)})"
        if done.carried.sheets
        else ""
    )
    rows = done.carried.catalog_rows
    if rows:
        sheets += f", {sum(rows.values())} catalog rows of yours ({', '.join(f'{s}: {n}' for s, n in rows.items())})"
    out.print(
        f"wrote {done.path} ({kept} input and note cells kept{sheets})", highlight=False, markup=False, soft_wrap=True
    )


@app.command()
def catalog(
    kind: Annotated[Kind, typer.Argument(help="Which catalog.")],
    search: Annotated[
        Optional[list[str]], typer.Argument(help="Words that must all appear (case-insensitive).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows shown (0 = all).")] = 50,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
) -> None:
    """List and search the catalogs: gpus, models, offers (cloud), servers, prices (token prices), keys."""
    from .catalog_view import as_json, render
    from .catalog_view import search as find

    with _reported():
        rows = find(kind.value, search or ())
    if format is Format.json:
        print(as_json(rows))
    else:
        render(out, kind.value, rows, limit or None)


@app.command()
def calibrate(
    results: Annotated[
        list[Path],
        typer.Argument(
            metavar="RESULT...",
            help="Result JSON of `vllm bench "
            "serve --save-result`, GenAI-Perf or AIPerf (profile export), or GuideLLM; several "
            "files (or a GuideLLM sweep) are a throughput-latency curve.",
        ),
    ],
    format: Annotated[
        CalibrateFormat,
        typer.Option("--format", help="table for people, json for scripts, set for KEY=VALUE lines to pass to --set."),
    ] = CalibrateFormat.table,
    scenario: Annotated[
        Optional[Path],
        typer.Option(
            "--scenario",
            "-s",
            metavar="FILE",
            help="A YAML/CSV "
            "scenario: its latency targets choose among several results, and the keys are "
            "written into it (in place, other keys kept; created if missing).",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            "-f",
            help="Write into --scenario FILE even when the "
            "chosen result has warnings (failed requests, a rate-driven or cancelled run).",
        ),
    ] = False,
) -> None:
    """Scenario keys (seconds_per_request, prompt_tokens, output_tokens) from a serving benchmark's results."""
    from .calibrate import Targets, choose, read_results
    from .calibrate_view import calibration_json, render_calibration, set_lines
    from .scenario_files import scenario_from
    from .scenario_update import check_scenario_path, update_scenario_file

    with _reported():
        if scenario is not None:
            check_scenario_path(scenario)
        found = read_results(results)
        s = scenario_from(scenario if scenario is not None and scenario.exists() else None, None)
        cal = choose(found, Targets(s.max_ttft_s, s.max_tpot_ms))
        for line in cal.notes():
            err.print(line, markup=False)
        if format is CalibrateFormat.json:
            print(calibration_json(cal))
        elif format is CalibrateFormat.set and cal.chosen is not None:
            print("\n".join(set_lines(cal)))
        elif format is CalibrateFormat.table:
            render_calibration(out, cal)
        if cal.chosen is None:
            raise cal.no_fit(str(scenario) if scenario is not None else "default targets")
        if scenario is not None:
            if cal.chosen.warnings and not force:
                raise CliError(
                    str(scenario),
                    "not written: the chosen result has warnings (above); check the run, "
                    "or use --force to write its keys anyway",
                )
            keys = dict(line.split("=", 1) for line in set_lines(cal))
            created = update_scenario_file(scenario, keys)
            (out if format is CalibrateFormat.table else err).print(
                f"{'wrote' if created else 'updated'} {scenario}: {', '.join(set_lines(cal))}"
                + ("" if created else " (other keys kept)"),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


class Target(str, Enum):
    all = "all"
    windows = "windows"
    lite = "lite"
    server = "server"


@app.command()
def addin(
    target: Annotated[Target, typer.Option("--target", help="Which way of running the functions.")] = Target.all,
    write_conf: Annotated[
        Optional[Path],
        typer.Option(
            "--write-conf", metavar="FOLDER", help="Also write xlwings.conf (the add-in settings) into FOLDER."
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Print what Excel needs to use the LLM_ worksheet functions."""
    from ..xlwings_setup import addin_instructions
    from ..xlwings_setup import write_conf as write

    if write_conf is not None:
        with _reported():
            written = write(write_conf, force=force)
        out.print(f"wrote {written}")
    out.print(addin_instructions(target.value), markup=False, soft_wrap=True)


def main() -> None:
    """Entry point of the ``llmcost`` console script."""
    app()


if __name__ == "__main__":
    main()
