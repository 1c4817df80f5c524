"""Worker processes that cannot hang a batch: each task's result, or why there is none, in input order.

:class:`concurrent.futures.ProcessPoolExecutor` (which the batch used before) waits for a result without a
limit: a worker that stops (stopped, swapping, blocked) holds the batch for ever, silently, and a worker that
dies breaks the whole pool, losing the results the other workers had finished. Here each worker has its own
pipe and one task at a time, so the batch always knows which task a worker holds:

- a worker that **dies** (killed, out of memory, segfault) costs only its task, reported as a
  :class:`Lost` with the signal or exit code; a new worker takes its place;
- a worker that gives **no result within** ``timeout`` seconds is killed and reported the same way;
- an **exception** in a task is a bug: it is raised in the batch process with the worker's traceback.

The workers are started from ``context`` (the batch uses a fork server: workers are forked from a
single-threaded process, never from the batch's own, which may hold threads and locks).
"""

from __future__ import annotations

import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

__all__ = ["Lost", "WorkerError", "ordered_results", "TASK_TIMEOUT_S"]

#: Seconds [s] a worker may take over one task before it is stopped, by default: far above a batch's
#: workbook (about 0.1 s from the template cache, 1 s without, 3 s more for a worker's first, which builds
#: the cache) even on a loaded machine, far below "hung for ever".
TASK_TIMEOUT_S = 300.0

T = TypeVar("T")
_END = object()


@dataclass(frozen=True)
class Lost:
    """Why a task has no result: ``reason`` in words (``worker process killed by SIGKILL``)."""

    reason: str


class WorkerError(RuntimeError):
    """A task raised an exception in a worker (a bug); the message ends with the worker's traceback."""


def _serve(
    conn: Connection, func: Callable[[Any], Any], initializer: Callable[..., None] | None, initargs: tuple
) -> None:
    """A worker's life: run ``func`` on each task received until the pipe closes."""
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, func(task)))
        except Exception:  # noqa: BLE001 - handed to the batch process, which raises it
            conn.send((False, traceback.format_exc()))


class _Worker:
    """One worker process, its end of the pipe, and the task it holds (with its deadline)."""

    def __init__(self, context: Any, target_args: tuple) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, *target_args), daemon=True)
        self.process.start()
        child.close()
        self.slot: list | None = None
        self.deadline = float("inf")

    def give(self, slot: list, timeout: float) -> None:
        self.slot, self.deadline = slot, time.monotonic() + timeout
        try:
            self.conn.send(slot[0])
        except OSError:  # the worker died before taking it: the wait that follows reports why
            pass

    def take(self) -> list:
        slot, self.slot, self.deadline = self.slot, None, float("inf")
        return slot

    def stop(self) -> None:
        self.conn.close()
        self.process.join(timeout=1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def death(self) -> str:
        """Why the process ended, in words."""
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"worker process killed by {signal.Signals(-code).name}"
        return f"worker process exited with code {code}"


def ordered_results(
    tasks: Iterable[T],
    func: Callable[[T], Any],
    *,
    jobs: int,
    context: Any,
    timeout: float,
    window: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator[tuple[T, Any]]:
    """``(task, func(task))`` for each task, in input order, computed in ``jobs`` worker processes.

    A task whose worker died, or gave no result within ``timeout`` seconds [s] (the worker is then killed),
    comes with a :class:`Lost` instead of a result. At most ``window`` tasks are given out before the
    oldest one's result is yielded (bounds memory). Raises :class:`WorkerError` when ``func`` raised.
    The workers are stopped when the iteration ends, and killed when it is abandoned.
    """
    target_args = (func, initializer, initargs)
    workers: list[_Worker] = []
    pending: deque[list] = deque()  # [task, result, done] in input order
    source = iter(tasks)
    exhausted = False
    try:
        while True:
            idle = [w for w in workers if w.slot is None]
            while not exhausted and len(pending) < window and (idle or len(workers) < jobs):
                task = next(source, _END)
                if task is _END:
                    exhausted = True
                    break
                if not idle:
                    workers.append(_Worker(context, target_args))
                    idle.append(workers[-1])
                slot = [task, None, False]
                pending.append(slot)
                idle.pop().give(slot, timeout)
            while pending and pending[0][2]:
                task, result, _ = pending.popleft()
                yield task, result
            if not pending:
                if exhausted:
                    break
                continue
            busy = [w for w in workers if w.slot is not None]  # not empty: the oldest pending task is held
            wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=wait_s)
            for w in busy:
                if not _collect(w, ready, timeout):
                    workers.remove(w)  # a new one is started when there is a task for it
    except BaseException:
        for w in workers:
            w.kill()
        raise
    for w in workers:
        w.stop()


def _collect(w: _Worker, ready: list, timeout: float) -> bool:
    """Settle worker ``w`` after a wait: its result, its death or its deadline; False when ``w`` is gone."""
    if w.conn in ready:
        try:
            ok, value = w.conn.recv()
        except EOFError:  # the worker is ending without a result: let it finish to learn why
            w.process.join(timeout=5.0)
        else:
            if not ok:
                raise WorkerError(f"a task failed in a worker process:\n{value}")
            slot = w.take()
            slot[1:] = [value, True]
            return True
    if w.process.sentinel in ready or not w.process.is_alive():
        lost = Lost(w.death())
    elif time.monotonic() >= w.deadline:
        lost = Lost(f"no result after {timeout:g} s; worker process stopped")
    else:
        return True
    slot = w.take()
    slot[1:] = [lost, True]
    w.kill()
    return False
