"""``llmcost batch``: one workbook per scenario of a CSV/YAML file, and ``summary.csv`` with the answers.

How it keeps its promises:

- **speed**: for batches of more than a few scenarios per worker, each worker builds the template once
  and then only the Inputs sheet per scenario (:mod:`workbook.xlsx.template_cache`, byte-identical output).
- **memory does not grow with the file**: rows are streamed (:func:`~workbook.cli.scenario_files.iter_rows`),
  at most ``4 * jobs`` scenarios are in flight, and each result is appended to the summary as soon as
  it (and every row before it) is done. The only per-row state kept is the set of file names used, to
  make duplicates unique (tens of bytes per scenario).
- **a killed batch leaves only complete workbooks**: each workbook is written by
  :func:`workbook.builder.write_workbook` to a temporary file renamed into place; ``summary.csv`` is
  written to a hidden temporary file in the output folder and renamed at the end. The worker processes
  die with the batch (Linux: ``PR_SET_PDEATHSIG``).
- **bad rows do not stop good ones**: a row whose values the engine rejects is reported with its row
  number, line and every problem the engine names (one line each), recorded in the summary with
  ``status=error`` and skipped. So is a row whose worker process died (killed, out of memory) or gave no
  result within ``timeout`` seconds (:mod:`workbook.cli.workers`): the batch never waits without a limit.
- **two summaries, one meaning per cell**: ``summary.csv`` for people (money to the cent, volumes to the
  request) and ``summary_raw.csv`` for scripts (the same rows and columns, numbers at full precision); in both a
  break-even with no crossing is ``none`` and an error row's answers are empty. Every text cell goes through
  :mod:`workbook.cli.csv_safe` (no formula injection from scenario names or quoted values).
"""

from __future__ import annotations

import functools
import glob
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costengine import CostModelError, Scenario

from ..xlsx.files import atomic_open
from .csv_safe import SafeCsvWriter
from .errors import CliError
from .report import SUMMARY_ANSWERS, answers, summary_values
from .scenario_files import Row, count_rows, iter_rows
from .workers import TASK_TIMEOUT_S, Lost, ordered_results

if TYPE_CHECKING:
    from ..xlsx.template_cache import TemplateCache

__all__ = [
    "Task",
    "BatchOutcome",
    "run_batch",
    "safe_name",
    "NameRegistry",
    "SUMMARY_COLUMNS",
    "build_one",
    "failure_line",
    "failure_lines",
    "run_batch_with_progress",
    "SUMMARY",
    "SUMMARY_RAW",
    "NO_CROSSING",
    "SUMMARY_FORMATS",
]

#: The columns of summary.csv (and of summary_raw.csv), in order.
SUMMARY_COLUMNS: tuple[str, ...] = ("row", "line", "name", "file", "status", "errors", "currency", *SUMMARY_ANSWERS)
#: The summary for people (rounded numbers) and the one for scripts (full precision), in the output folder.
SUMMARY, SUMMARY_RAW = "summary.csv", "summary_raw.csv"
#: A break-even cell when the two options never cross up to 1e12 requests/month (an error row's cells are empty).
NO_CROSSING = "none"
_BREAKEVENS = tuple(k for k in SUMMARY_ANSWERS if k.startswith("breakeven_"))
#: summary.csv's number formats: money [currency/month] to the cent, break-evens [requests/month] to the request.
SUMMARY_FORMATS = {
    **{k: "{:.2f}".format for k in SUMMARY_ANSWERS if k.endswith("_monthly_cost") or "_cost_" in k},
    **{k: "{:.0f}".format for k in (*_BREAKEVENS, "hybrid_replicas")},
}
#: Tasks in flight per worker process (bounds memory while keeping the workers busy).
IN_FLIGHT_PER_JOB = 4
#: Scenarios per worker from which building the template cache (about 3 s) pays off.
CACHE_MIN_PER_JOB = 4
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_MAX_NAME = 80


@dataclass(frozen=True)
class Task:
    """One scenario to build: its row, the raw values and the workbook path."""

    number: int
    line: int
    name: str | None
    values: dict[str, Any]
    path: str
    force: bool
    fast: bool = False


@dataclass
class BatchOutcome:
    """What a batch did: rows read, workbooks written, rows failed, and where the summaries are (``summary``:
    rounded numbers, ``raw``: full precision)."""

    total: int
    written: int = 0
    failed: int = 0
    summary: Path | None = None
    raw: Path | None = None


def safe_name(raw: str | None, number: int) -> str:
    """A file stem that is safe on Windows, macOS and Linux for the scenario ``raw`` (row ``number``).

    Letters, digits, ``_``, ``-`` and ``.`` are kept; any run of other characters (``/``, ``..``, spaces,
    control characters) becomes ``-``; leading dots and dashes are dropped; names reserved by Windows
    get a trailing ``_``; at most 80 characters. A blank name becomes ``scenario-<row>``.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    stem = re.sub(r"[^\w.-]+", "-", text).strip(".- ")
    stem = re.sub(r"\.{2,}", ".", stem)[:_MAX_NAME].rstrip(".- ")
    if not stem:
        return f"scenario-{number}"
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem += "_"
    return stem


class NameRegistry:
    """Makes file stems unique, ignoring case (``a``, ``A`` -> ``a``, ``A-2``)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def claim(self, stem: str) -> str:
        """``stem``, or ``stem-2``, ``stem-3``, ... whichever is free first."""
        candidate, k = stem, 1
        while candidate.lower() in self._used:
            k += 1
            candidate = f"{stem}-{k}"
        self._used.add(candidate.lower())
        return candidate


def build_one(task: Task) -> dict[str, Any]:
    """Validate one scenario, compute its answers and write its workbook; a summary row either way.

    Runs in a worker process. Only the engine's own errors and an existing file (without ``force``)
    are turned into an error row, with every problem the error names (``problems``: ``key: problem``
    lines; ``errors``: the same joined by ``; ``); anything else is a bug and propagates. A break-even
    without a crossing is :data:`NO_CROSSING`.
    """
    row = _row(task)
    try:
        s = Scenario.parse(task.values)
        row["currency"] = s.currency
        row.update(summary_values(answers(s)))
        row.update({k: NO_CROSSING for k in _BREAKEVENS if row[k] is None})
        _writer(task.fast)(task.path, s, force=task.force)
    except CostModelError as exc:
        problems = exc.lines()
    except FileExistsError:
        problems = [f"{Path(task.path).name}: exists; use --force to overwrite"]
    else:
        return row
    return _error_row(task, problems)


def _row(task: Task) -> dict[str, Any]:
    return {
        "row": task.number,
        "line": task.line,
        "name": task.name or "",
        "file": Path(task.path).name,
        "status": "ok",
        "errors": "",
        "currency": "",
        "problems": [],
    }


def _error_row(task: Task, problems: list[str]) -> dict[str, Any]:
    """The summary row of a task that wrote no workbook, for ``problems`` (one line each)."""
    row = _row(task)
    row.update(status="error", errors="; ".join(problems), problems=problems, file="")
    row.update({k: None for k in SUMMARY_ANSWERS})
    return row


def _lost_row(task: Task, lost: Lost) -> dict[str, Any]:
    """The error row of a task whose worker died or was stopped; its half-written temporary file is removed."""
    target = Path(task.path)
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return _error_row(task, [f"{lost.reason}; workbook not written"])


def _writer(fast: bool) -> Callable[..., Path]:
    """The workbook writer: the per-process :class:`~workbook.xlsx.template_cache.TemplateCache` (built on
    first use, about 3 s) for long batches, else :func:`workbook.builder.write_workbook` (about 1 s a workbook)."""
    if not fast:
        from ..builder import write_workbook

        return write_workbook
    return _template_cache().write


@functools.cache
def _template_cache() -> TemplateCache:
    """This process's template cache, built on first use and kept for the process's life."""
    from ..xlsx.template_cache import TemplateCache

    return TemplateCache()


def _die_with_parent(batch_pid: int) -> None:
    """Worker initializer: the worker dies with the batch process.

    On Linux the kernel kills it when its parent dies (``PR_SET_PDEATHSIG``); but a fork server's workers have
    the fork server as their parent, which can outlive a killed batch, so a daemon thread also watches the
    batch's own process id and ends the worker at once when it is gone (a half-written workbook stays a
    hidden temporary file: workbooks are written atomically).
    """
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    import threading

    def watch() -> None:
        while True:
            try:
                os.kill(batch_pid, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGKILL)
            except PermissionError:  # alive, another user's (cannot happen for our parent, but harmless)
                pass
            time.sleep(0.05)

    threading.Thread(target=watch, name="die-with-batch", daemon=True).start()


def _context() -> multiprocessing.context.BaseContext:
    """A fork server (workers start clean, modules loaded once) where there is one, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["workbook.cli.batch", "workbook.builder", "workbook.xlsx.template_cache"])
        return ctx
    return multiprocessing.get_context("spawn")


def _results(tasks: Iterable[Task], jobs: int, timeout: float) -> Iterator[dict[str, Any]]:
    """Summary rows in input order, computed in ``jobs`` processes with a bounded window of tasks; a row whose
    worker died or gave no result within ``timeout`` seconds is an error row."""
    if jobs == 1:
        yield from map(build_one, tasks)
        return
    for task, result in ordered_results(
        tasks,
        build_one,
        jobs=jobs,
        context=_context(),
        timeout=timeout,
        window=IN_FLIGHT_PER_JOB * jobs,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ):
        yield _lost_row(task, result) if isinstance(result, Lost) else result


def _tasks(rows: Iterable[Row], out_dir: Path, force: bool, fast: bool) -> Iterator[Task]:
    names = NameRegistry()
    for row in rows:
        stem = names.claim(safe_name(row.name, row.number))
        yield Task(row.number, row.line, row.name, row.values, str(out_dir / f"{stem}.xlsx"), force, fast)


def failure_line(result: dict[str, Any]) -> str:
    """``row 3 (line 4, 'acme'): key: problem; ...`` for an error row of the summary."""
    return f"{_where(result)}: {result['errors']}"


def failure_lines(result: dict[str, Any]) -> list[str]:
    """One ``row 3 (line 4, 'acme'): key: problem`` line per problem of an error row."""
    return [f"{_where(result)}: {p}" for p in result.get("problems") or [result["errors"]]]


def _where(result: dict[str, Any]) -> str:
    name = f", {result['name']!r}" if result["name"] else ""
    return f"row {result['row']} (line {result['line']}{name})"


def run_batch(
    scenarios: str | Path,
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = TASK_TIMEOUT_S,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> BatchOutcome:
    """Build one workbook per scenario of ``scenarios`` into ``out_dir`` and write ``summary.csv`` (rounded
    numbers) and ``summary_raw.csv`` (full precision).

    With ``jobs`` > 1 a scenario whose worker process dies, or gives no result within ``timeout`` seconds [s],
    is an error row (``worker process killed by SIGKILL; workbook not written``) and the batch goes on.
    ``on_start(total)`` is called once the file has been checked, ``on_result(row)`` after each scenario
    (in input order). Raises :class:`~workbook.cli.errors.CliError` before writing anything when the file is malformed,
    holds no scenario, or ``summary.csv`` or ``summary_raw.csv`` exists without ``force``.
    """
    src, out = Path(scenarios), Path(out_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise CliError("--jobs", f"must be at least 1 (got {jobs})")
    total = count_rows(src)
    if total == 0:
        raise CliError(str(src), "holds no scenario")
    if out.exists() and not out.is_dir():
        raise CliError(str(out), "exists and is not a folder")
    summary, raw = out / SUMMARY, out / SUMMARY_RAW
    for existing in (summary, raw):
        if existing.exists() and not force:
            raise CliError(str(existing), "exists; use --force to overwrite (workbooks too)")
    out.mkdir(parents=True, exist_ok=True)
    outcome = BatchOutcome(total=total)
    if on_start:
        on_start(total)
    with (
        atomic_open(summary, "w", encoding="utf-8", newline="") as fh,
        atomic_open(raw, "w", encoding="utf-8", newline="") as fh_raw,
    ):
        writers = (SafeCsvWriter(fh, SUMMARY_COLUMNS, SUMMARY_FORMATS), SafeCsvWriter(fh_raw, SUMMARY_COLUMNS))
        for writer in writers:
            writer.writeheader()
        jobs = min(jobs, total)
        fast = total >= CACHE_MIN_PER_JOB * jobs
        for result in _results(_tasks(iter_rows(src), out, force, fast), jobs, timeout):
            for writer in writers:
                writer.writerow(result)
            if result["status"] == "ok":
                outcome.written += 1
            else:
                outcome.failed += 1
            if on_result:
                on_result(result)
    outcome.summary, outcome.raw = summary, raw
    return outcome


def run_batch_with_progress(
    console: Any,
    scenarios: str | Path,
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = TASK_TIMEOUT_S,
) -> BatchOutcome:
    """:func:`run_batch` with a rich progress bar on ``console``; bad rows are printed as they come."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    def report(result: dict[str, Any]) -> None:
        if result["status"] != "ok":
            for line in failure_lines(result):
                console.print(line, markup=False, highlight=False, soft_wrap=True)

    if not console.is_terminal:  # no bar in logs and pipes: only the failures
        return run_batch(scenarios, out_dir, jobs=jobs, force=force, timeout=timeout, on_result=report)
    columns = (TextColumn("building workbooks"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task_id = progress.add_task("batch", total=None)

        def done(result: dict[str, Any]) -> None:
            report(result)
            progress.advance(task_id)

        return run_batch(
            scenarios,
            out_dir,
            jobs=jobs,
            force=force,
            timeout=timeout,
            on_start=lambda total: progress.update(task_id, total=total),
            on_result=done,
        )
