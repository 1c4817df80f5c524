"""``llmcost``, the command line: the typer app (:mod:`.commands`), scenario files, batch, reports,
evaluate and refresh. The only part of the package that imports typer, rich or yaml.

Those packages (and openpyxl) come with the ``cli`` extra: ``pip install "llmcost-excel[cli]"``. The worksheet
functions do not need them (xlwings Lite installs the distribution without extras), so an ``llmcost`` started
without them says so in one line instead of a traceback.
"""

import sys

#: The packages of the ``cli`` extra (pyproject.toml), by import name.
CLI_PACKAGES = ("typer", "click", "rich", "yaml", "openpyxl", "defusedxml")

try:
    from .commands import app, main
except ModuleNotFoundError as exc:  # only a missing package of the cli extra; anything else is a bug
    if (exc.name or "").split(".")[0] not in CLI_PACKAGES:
        raise
    _missing = exc.name

    def main() -> None:
        """Entry point when the ``cli`` extra is not installed: one line on stderr and exit code 1."""
        sys.exit(
            f"llmcost: the command line needs the package {_missing!r}, which comes with the cli extra: "
            f'pip install "llmcost-excel[cli]"'
        )


__all__ = ["app", "main"]
