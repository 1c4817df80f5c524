"""The command line's own errors: file and usage problems (a file that exists without --force, a file that
is not a scenario file or not a workbook, a malformed option). The engine's errors stay
:class:`~costengine.CostModelError`; both become ``subject: problem`` lines on stderr and exit code 1.
"""

from __future__ import annotations

from ..xlsx.files import FileProblem

__all__ = ["CliError"]


class CliError(FileProblem):
    """A file or usage problem of the command line, naming the file or option at fault (``subject``:
    a path as given, ``--jobs``, ``--set``, ``FILE line 3``) and what is wrong (``problem``, one line)."""
