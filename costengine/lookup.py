"""Catalog lookups over columns of scenarios: each distinct value (or combination of values) is looked up once,
so a sweep of millions of rows costs as many lookups as it has distinct ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .errors import CostModelError

__all__ = ["Columns", "Lookup", "factorize", "lookup", "blank", "combined", "text_blank", "where"]


Columns = Mapping[str, np.ndarray]


class Lookup:
    """Catalog rows looked up once per distinct value: ``codes[i]`` indexes ``results`` (-1 = not looked up)."""

    def __init__(self, codes: np.ndarray, results: list):
        self.codes = codes
        self.results = results

    def attr(self, name: str) -> np.ndarray:
        """One float per row: the attribute of the row's catalog entry (NaN where not looked up)."""
        table = np.array([getattr(r, name) for r in self.results] + [np.nan], dtype=float)
        return table[self.codes]  # code -1 picks the trailing NaN

    def row(self, i: int) -> Any:
        return self.results[self.codes[i]] if self.codes[i] >= 0 else None

    def take(self, idx: np.ndarray) -> "Lookup":
        return Lookup(self.codes[idx], self.results)


def factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Integer codes and distinct values (first-seen order); fast for millions of rows."""
    if len(values) == 1:
        return np.zeros(1, dtype=np.intp), [values[0]]
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def lookup(values: np.ndarray, need: np.ndarray, fn: Callable[[Any], Any], rows: np.ndarray | None) -> Lookup:
    """Apply ``fn`` to each distinct value among the rows that ``need`` it.

    A :class:`CostModelError` names the first row (1-based) with the bad value when ``rows`` is given.
    """
    codes = np.full(len(values), -1, dtype=np.intp)
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return Lookup(codes, [])
    sub, uniques = factorize(values[idx])
    results = []
    for u_i, u in enumerate(uniques):
        try:
            results.append(fn(u))
        except CostModelError as exc:
            if rows is not None:
                first = int(rows[idx[np.flatnonzero(sub == u_i)[0]]])
                raise CostModelError(exc.key, f"{exc.problem} (row {first})") from None
            raise
    codes[idx] = sub
    return Lookup(codes, results)


def blank(a: np.ndarray) -> np.ndarray:
    return np.isnan(a)


class Key(tuple):
    """A tuple of column values, hashable, as one lookup key."""


def combined(*columns) -> np.ndarray:
    """One object per row standing for the tuple of the rows' values in ``columns``, built per distinct
    combination (fast for millions of rows): equal tuples are the same object, so lookups factorize them once."""
    n = len(columns[0])
    if n == 1:
        out = np.empty(1, dtype=object)
        out[0] = Key(np.asarray(c, dtype=object)[0] for c in columns)
        return out
    code = np.zeros(n, dtype=np.int64)
    uniques = []
    for c in columns:
        k, u = pd.factorize(np.asarray(c, dtype=object) if not isinstance(c, pd.Categorical) else c)
        code = code * (len(u) + 1) + k
        uniques.append((k, u))
    combo, first = np.unique(code, return_index=True)
    objs = np.empty(len(combo), dtype=object)
    for j, i in enumerate(first):
        objs[j] = Key(u[k[i]] if k[i] >= 0 else None for k, u in uniques)
    return objs[np.searchsorted(combo, code)]


def text_blank(values) -> np.ndarray:
    """Blank text cells ("" or None) of an object column."""
    if isinstance(values, pd.Categorical):
        cats = np.array([c == "" or c is None for c in values.categories] + [True])
        return cats[values.codes]
    return np.array([v is None or v == "" or (isinstance(v, float) and np.isnan(v)) for v in values], dtype=bool)


def where(rows: np.ndarray | None, i: int) -> str:
    return f" (row {int(rows[i])})" if rows is not None else ""
