"""Atomic file writes: a temporary file in the target's folder, flushed to disk, renamed into place.

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

__all__ = ["atomic_open", "write_bytes_atomically"]


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
