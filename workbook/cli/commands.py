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
import typer.core

from .answer_commands import addin, calibrate, catalog, compare
from .workbook_commands import batch, evaluate, refresh, template


def _flags_take_no_value() -> None:
    """``--help`` shows no ``<bool>`` after a flag: a flag takes no value.

    typer's rich help (0.2x) prints each option's type after it, ``<bool>`` for flags too (``--projection
    <bool>``, even ``--help <bool>``), which reads as if the flag wanted a value; its plain help already leaves
    flags bare. A flag (``is_flag``, or a counting option) shows no type; other options are unchanged. Older
    typer versions have no ``display_type_rich`` and already leave flags bare: nothing to do.
    """
    option = getattr(typer.core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if shown is None or getattr(shown, "flags_bare", False):
        return

    def display_type_rich(self, ctx):
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return None
        return shown(self, ctx)

    display_type_rich.flags_bare = True
    option.display_type_rich = display_type_rich


_flags_take_no_value()
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
