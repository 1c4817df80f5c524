"""The ``llmcost`` commands that print answers without a workbook: ``compare``, ``catalog``, ``calibrate``
(from a serving benchmark's results) and ``addin`` (what Excel needs for the worksheet functions).

Each parses its arguments and calls the library (imported when the command runs, so that ``llmcost`` starts
fast); :mod:`.commands` registers them on the app.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import CliError
from .options import ForceOpt, Format, RequestsOpt, ScenarioOpt, SetOpt, err, out, reported


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
    profiles = "profiles"
    keys = "keys"
    add_model = "add-model"


class Target(str, Enum):
    all = "all"
    windows = "windows"
    lite = "lite"
    server = "server"


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
            "--swing",
            min=0.0,
            max=0.99,
            metavar="S",
            help="Low/high swing of each input for --sensitivity (0.25 = -25%/+25%).",
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
    from .scenario_files import read_requests, scenario_from

    with reported():
        s = scenario_from(scenario, set_)
        requests = read_requests(requests)
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


def catalog(
    kind: Annotated[Kind, typer.Argument(help="Which catalog.")],
    search: Annotated[
        Optional[list[str]], typer.Argument(help="Words that must all appear (case-insensitive).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="Rows shown (0 = all).")] = 50,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    stale_only: Annotated[
        bool,
        typer.Option(
            "--stale", help="gpus, offers, servers: only prices undated or over 180 days old at the catalog's date."
        ),
    ] = False,
    id: Annotated[Optional[str], typer.Option("--id", help="add-model: the new row's id.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="add-model: the model's name.")] = None,
    license: Annotated[Optional[str], typer.Option("--license", help="add-model: the licence.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="add-model: where the config is from.")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="add-model: release date YYYY-MM-DD.")] = None,
    reasoning: Annotated[bool, typer.Option("--reasoning", help="add-model: the model thinks by default.")] = False,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="add-model: append the row to this user catalog CSV.")
    ] = None,
) -> None:
    """List and search the catalogs: gpus, models, offers (cloud), servers, prices (token prices), profiles (load
    over the day), keys.
    ``llmcost catalog add-model CONFIG.json`` turns a Hugging Face config.json into a model row (no network)."""
    from .catalog_view import as_json, render, stale
    from .catalog_view import search as find

    if kind is Kind.add_model:
        from .catalog_add import append, csv_text, model_row

        with reported():
            if not search or len(search) != 1:
                raise CliError("CONFIG.json", "give one config.json file: llmcost catalog add-model CONFIG.json")
            row = model_row(
                search[0], id=id, name=name, license=license, source=source, as_of=as_of, reasoning=reasoning
            )
            if output is None:
                print(csv_text(row), end="")
            else:
                err.print(append(row, str(output)))
        return
    with reported():
        rows = find(kind.value, search or ())
        if stale_only:
            rows = stale(kind.value, rows)
    if format is Format.json:
        print(as_json(rows))
    else:
        render(out, kind.value, rows, limit or None)


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

    with reported():
        if scenario is not None:
            check_scenario_path(scenario)
        found = read_results(results)
        s = scenario_from(scenario if scenario is not None and scenario.exists() else None, None)
        cal = choose(found, Targets(*s.targets()))
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
        with reported():
            written = write(write_conf, force=force)
        out.print(f"wrote {written}")
    out.print(addin_instructions(target.value), markup=False, soft_wrap=True)
