"""``llmcost``: the command line. The typer app and its commands, in the order ``llmcost --help`` lists them;
each command parses arguments and calls the library, no logic lives here.

The commands that write or read workbooks are :mod:`.workbook_commands`, those that print answers
:mod:`.answer_commands`; what they share (consoles, options, the error report) is :mod:`.options`. Errors of the
engine (:class:`~costengine.CostModelError`), the CLI's own file and usage errors
(:class:`~workbook.cli.errors.CliError`) and unreadable workbooks (:class:`~workbook.xlsx.reader.WorkbookFileError`;
both are :class:`~workbook.xlsx.files.FileProblem`) become one ``subject: problem`` line per problem on stderr
and exit code 1; typer's usage errors exit with 2.
"""

from __future__ import annotations

import typer

from .answer_commands import addin, calibrate, catalog, compare
from .workbook_commands import batch, evaluate, refresh, template

app = typer.Typer(
    name="llmcost",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    help="API, cloud GPUs or on-premises? LLM hosting cost model: templates, batches, comparisons.",
)
for command in (template, batch, compare, evaluate, refresh, catalog, calibrate, addin):
    app.command()(command)


def main() -> None:
    """Entry point of the ``llmcost`` console script."""
    app()


if __name__ == "__main__":
    main()
