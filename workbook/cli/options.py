"""What the ``llmcost`` commands share: the consoles, the options several commands take, and the report that
turns the errors a command meets into ``subject: problem`` lines on stderr and exit code 1.

Errors of the engine (:class:`~costengine.CostModelError`), the CLI's own file and usage errors
(:class:`~workbook.cli.errors.CliError`) and unreadable workbooks (:class:`~workbook.xlsx.reader.WorkbookFileError`;
both are :class:`~workbook.xlsx.files.FileProblem`) become one line per problem; typer's usage errors exit with 2.
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
        "--set",
        metavar="KEY=VALUE",
        help="Override one scenario key (repeatable), e.g. --set requests_per_month=10M (numbers: 2.5k, 10,000,000).",
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing files.")]
RequestsOpt = Annotated[
    Optional[str],
    typer.Option(
        "--requests",
        "-r",
        metavar="N",
        help="Requests per month to compare at (default: the scenario's), e.g. 10M, 2.5k, 10,000,000.",
    ),
]


class Format(str, Enum):
    table = "table"
    json = "json"


@contextmanager
def reported() -> Iterator[None]:
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
