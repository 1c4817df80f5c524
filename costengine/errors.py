"""The engine's own error type.

Front ends catch :class:`CostModelError` (and only it) and turn it into their own form:
a one-line cell message in Excel, a ``field: problem`` line and exit code 1 in the CLI.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["CostModelError", "Infeasible", "closest"]


class CostModelError(ValueError):
    """Bad input to the cost model, naming what is wrong.

    Parameters
    ----------
    key : str or None
        The scenario key, argument or catalog id at fault (``None`` when it concerns no single key).
    problem : str
        What is wrong and what is allowed, in one line.
    problems : list of (key, problem), optional
        Every problem found, when there are several (a scenario with many bad keys).
    """

    def __init__(self, key: str | None, problem: str, problems: list[tuple[str | None, str]] | None = None):
        self.key = key
        self.problem = problem
        self.problems = problems or [(key, problem)]
        super().__init__(self.lines()[0] if len(self.problems) == 1 else "; ".join(self.lines()))

    def lines(self) -> list[str]:
        """One ``key: problem`` line per problem."""
        return [f"{k}: {p}" if k else p for k, p in self.problems]


class Infeasible(CostModelError):
    """Valid inputs with which one option cannot be served (no layout meets the latency targets, the model does not
    fit, no catalog offer or server for the GPU at that pricing or billing, no API price for the model).

    The engine marks the option "not feasible: <problem>" for that scenario (its costs NaN) instead of raising;
    ``key`` names the input that decides it. See ``docs/model.md#infeasible-options``.
    """


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The up-to-``n`` choices closest to ``word`` (case-insensitive), best first."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(str(word).lower(), list(lowered), n=n, cutoff=0.5)
    if not found:
        found = [c for c in lowered if str(word).lower() in c or c in str(word).lower()][:n]
    return [lowered[f] for f in found]
