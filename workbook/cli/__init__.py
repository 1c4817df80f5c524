"""``llmcost``, the command line: the typer app (:mod:`.commands`), scenario files, batch, reports,
evaluate and refresh. The only part of the package that imports typer, rich or yaml.
"""

from .commands import app, main

__all__ = ["app", "main"]
