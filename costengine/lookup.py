"""Catalog lookups over columns of scenarios: each distinct value (or combination of values) is looked up once,
so a sweep of millions of rows costs as many lookups as it has distinct ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .errors import CostModelError

__all__ = ["Columns", "Lookup", "Coded", "factorize", "lookup", "blank", "combined", "text_blank", "where"]


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


def factorize(values) -> tuple[np.ndarray, list]:
    """Integer codes and distinct values (first-seen order); fast for millions of rows. A Categorical (or
    :class:`Coded` keys) is factorized by its integer codes; a missing value (code -1) gets code -1, as NaN does."""
    if len(values) == 1:
        return np.zeros(1, dtype=np.intp), [values[0]]
    if not hasattr(values, "categories"):
        codes, uniques = pd.factorize(values)
        return codes, list(uniques)
    codes, first = pd.factorize(np.asarray(values.codes))
    if (first < 0).any():
        j = int(np.flatnonzero(first < 0)[0])
        codes = np.where(codes == j, -1, codes - (codes > j))
        first = np.delete(first, j)
    return codes, [values.categories[c] for c in first]


class Coded:
    """Per-row codes into distinct values, like a Categorical but for tuple keys (:func:`combined`)."""

    def __init__(self, codes: np.ndarray, categories: np.ndarray):
        self.codes, self.categories = codes, categories

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i):
        return self.categories[self.codes[i]] if np.ndim(i) == 0 else Coded(self.codes[i], self.categories)


def lookup(
    values: np.ndarray,
    need: np.ndarray,
    fn: Callable[[Any], Any],
    rows: np.ndarray | None,
    mark: Callable[[np.ndarray, CostModelError], bool] | None = None,
) -> Lookup:
    """Apply ``fn`` to each distinct value among the rows that ``need`` it.

    A :class:`CostModelError` names the first row (1-based) with the bad value when ``rows`` is given. ``mark``
    (row indices, error) -> handled: the rows of a value whose lookup failed are marked instead of raising
    when it returns True (:meth:`costengine.problems.Problems.handle`); they are left not looked up (code -1).
    """
    codes = np.full(len(values), -1, dtype=np.intp)
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return Lookup(codes, [])
    sub, uniques = factorize(values[idx])
    results = []
    failed = []
    for u_i, u in enumerate(uniques):
        try:
            results.append(fn(u))
        except CostModelError as exc:
            if mark is not None and mark(idx[sub == u_i], exc):
                failed.append(u_i)
                results.append(None)
                continue
            if rows is not None:
                first = int(rows[idx[np.flatnonzero(sub == u_i)[0]]])
                raise CostModelError(exc.key, f"{exc.problem} (row {first})") from None
            raise
    codes[idx] = sub
    if failed:  # the failed values: not looked up (code -1), their placeholders dropped
        keep = np.array([r is not None for r in results] + [True])
        renumber = np.cumsum(keep) - 1
        renumber[~keep] = -1
        renumber[-1] = -1
        codes = renumber[codes]
        results = [r for r in results if r is not None]
    return Lookup(codes, results)


def blank(a: np.ndarray) -> np.ndarray:
    return np.isnan(a)


class Key(tuple):
    """A tuple of column values, hashable, as one lookup key."""


def combined(*columns) -> Coded:
    """One code per row standing for the tuple of the rows' values in ``columns``, and one :class:`Key` per
    distinct combination (fast for millions of rows), so lookups factorize the codes, not the tuples."""
    n = len(columns[0])
    if n == 1:
        out = np.empty(1, dtype=object)
        out[0] = Key(np.asarray(c, dtype=object)[0] for c in columns)
        return Coded(np.zeros(1, dtype=np.intp), out)
    code = np.zeros(n, dtype=np.int64)
    uniques = []
    for c in columns:
        numeric = isinstance(c, np.ndarray) and c.dtype.kind in "fbiu"  # factorized as they are (NaN: code -1)
        k, u = pd.factorize(c if numeric or isinstance(c, pd.Categorical) else np.asarray(c, dtype=object))
        code = code * (len(u) + 1) + k
        uniques.append((k, u))
    inverse, combo = pd.factorize(code)  # hashing, not sorting
    first = np.empty(len(combo), dtype=np.intp)
    first[inverse] = np.arange(n)  # a row of each combination (any: they hold the same values)
    objs = np.empty(len(combo), dtype=object)
    for j, i in enumerate(first):
        objs[j] = Key(u[k[i]] if k[i] >= 0 else None for k, u in uniques)
    return Coded(inverse, objs)


def text_blank(values) -> np.ndarray:
    """Blank text cells ("" or None) of an object column."""
    if isinstance(values, pd.Categorical):
        cats = np.array([c == "" or c is None for c in values.categories] + [True])
        return cats[values.codes]
    return np.array([v is None or v == "" or (isinstance(v, float) and np.isnan(v)) for v in values], dtype=bool)


def where(rows: np.ndarray | None, i: int) -> str:
    return f" (row {int(rows[i])})" if rows is not None else ""
