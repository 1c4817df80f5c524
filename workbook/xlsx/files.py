"""Files: atomic writes (a temporary file in the target's folder, flushed to disk, renamed into place) and
the error type of file problems.

A killed run leaves the old file or the new one, never half of one (the hidden ``.NAME.*.tmp`` file of an
interrupted write is never a ``.xlsx`` or ``.csv`` that a user would open).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["atomic_open", "write_bytes_atomically", "FileProblem"]


class FileProblem(ValueError):
    """A problem with a file or an option of the front ends, not with the scenario: ``subject: problem``.

    Parameters
    ----------
    subject : str
        The file (path as given) or option at fault.
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


@contextmanager
def atomic_open(target: Path, mode: str = "wb", **kwargs) -> Iterator[IO]:
    """Open a temporary file next to ``target``; on a clean exit it replaces ``target``, otherwise it is removed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return ``target``."""
    with atomic_open(target, "wb") as fh:
        fh.write(data)
    return target
