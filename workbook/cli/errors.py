"""The command line's own errors: file and usage problems (a file that exists without --force, a file that
is not a scenario file or not a workbook, a malformed option). The engine's errors stay
:class:`~costengine.CostModelError`; both become ``subject: problem`` lines on stderr and exit code 1.
"""

from __future__ import annotations

__all__ = ["CliError"]


class CliError(ValueError):
    """A file or usage problem, naming the file or option at fault.

    Parameters
    ----------
    subject : str
        The file (path as given) or the option (``--jobs``, ``--set``, ``FILE line 3``) at fault.
    problem : str
        What is wrong and what to do, in one line.
    """

    def __init__(self, subject: str, problem: str):
        self.subject = subject
        self.problem = problem
        super().__init__(self.lines()[0])

    def lines(self) -> list[str]:
        """The one ``subject: problem`` line."""
        return [f"{self.subject}: {self.problem}"]
