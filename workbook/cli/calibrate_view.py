"""``llmcost calibrate`` output: a table for people (one row per measurement: the throughput-latency curve), JSON
for scripts, and ``key=value`` lines for ``--set``. Only formatting; the choice is
:func:`workbook.cli.calibrate.choose`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from .calibrate import SCENARIO_KEYS, Calibration, Measurement, format_value

__all__ = ["render_calibration", "calibration_json", "set_lines", "chosen_line"]


def _num(v: float | None, digits: int, sep: str = ",") -> str:
    return "-" if v is None else f"{v:{sep}.{digits}f}"


def _meets(cal: Calibration, m: Measurement) -> str:
    if not cal.targets.any():
        return "-"
    return "yes" if not cal.targets.misses(m) else "no"


def render_calibration(console: Console, cal: Calibration) -> None:
    """The tool and model of the results, one row per measurement (sorted by concurrency: the throughput-latency
    curve), the targets, which one was chosen and its scenario keys."""
    seen: dict[tuple[str, str], int] = {}
    for m in cal.measurements:
        seen[m.tool, m.model or "not named"] = seen.get((m.tool, m.model or "not named"), 0) + 1
    for (tool, model), n in seen.items():
        console.print(f"{tool}, model {model}" + (f" ({n} results)" if n > 1 else ""), markup=False)
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("result", overflow="fold")
    for head in ("conc", "req/s", "s/req", "prompt", "output", "TTFT s", "p99", "TPOT ms", "p99", "ok"):
        table.add_column(head, justify="right", no_wrap=True)
    for m in cal.measurements:
        mark = " *" if m is cal.chosen and len(cal.measurements) > 1 else ""
        table.add_row(
            f"{m.source}{mark}",
            "-" if m.concurrency is None else str(m.concurrency),
            _num(m.requests_per_second, 3),
            _num(m.seconds_per_request, 4),
            _num(m.prompt_tokens_mean, 1, ""),
            _num(m.output_tokens_mean, 1, ""),
            _num(m.ttft_mean_s, 3),
            _num(m.ttft_p99_s, 3),
            _num(m.tpot_mean_ms, 2),
            _num(m.tpot_p99_ms, 2),
            _meets(cal, m),
        )
    console.print(table)
    console.print(
        "conc: concurrency; s/req: 1 / req/s; prompt, output: mean tokens/request; TTFT [s] and TPOT "
        "[ms/token]: mean, then p99; ok: the means meet the latency targets",
        markup=False,
        soft_wrap=True,
    )
    console.print(f"latency targets: {cal.targets.describe()}", markup=False)
    if cal.chosen is None:
        return
    if len(cal.measurements) > 1:
        console.print(chosen_line(cal), markup=False, soft_wrap=True)
    console.print("scenario keys (use with --set, or --scenario FILE to write them):")
    for line in set_lines(cal):
        console.print(f"  {line}", markup=False, highlight=False)


def chosen_line(cal: Calibration) -> str:
    """Which of several measurements gives the keys, and why."""
    m = cal.chosen
    if m is None:
        return ""
    why = (
        "the highest throughput meeting the latency targets"
        if cal.targets.any()
        else "the highest throughput (no latency targets)"
    )
    conc = "" if m.concurrency is None else f" (concurrency {m.concurrency})"
    return f"chosen (*): {m.source}{conc}, {why}"


def set_lines(cal: Calibration) -> list[str]:
    """``key=value`` lines of the chosen measurement's scenario keys, ready for ``--set``."""
    if cal.chosen is None:
        return []
    return [f"{k}={format_value(v)}" for k, v in cal.chosen.scenario_keys().items()]


def _record(m: Measurement, cal: Calibration) -> dict[str, Any]:
    rec = asdict(m)
    rec["warnings"] = list(m.warnings)
    rec["seconds_per_request"] = m.seconds_per_request
    rec["meets_targets"] = not cal.targets.misses(m) if cal.targets.any() else None
    return rec


def calibration_json(cal: Calibration) -> str:
    """``{"measurements": [...], "targets": {...}, "chosen": source or null, "keys": {...} or null}``; the
    measurements carry the :class:`Measurement` fields (units in the names) plus ``seconds_per_request`` [s]."""
    doc = {
        "measurements": [_record(m, cal) for m in cal.measurements],
        "targets": {"max_ttft_s": cal.targets.max_ttft_s, "max_tpot_ms": cal.targets.max_tpot_ms},
        "chosen": None if cal.chosen is None else cal.chosen.source,
        "keys": None if cal.chosen is None else {k: cal.chosen.scenario_keys()[k] for k in SCENARIO_KEYS},
    }
    return json.dumps(doc, indent=2, allow_nan=False)
