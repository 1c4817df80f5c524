"""The user's own catalog rows: a shipped catalog extended by rows typed into a workbook's catalog sheets.

A front end reads the rows (the template's Hardware, Models, Cloud Offers and Servers sheets have a block of
blank input rows below the shipped ones) and passes them here as :class:`UserRow` objects, each value keyed
by its catalog column and each cell named for messages. :func:`extend_catalog` checks every row with the
catalog's own row classes (:class:`~costengine.catalogs.GPU`, :class:`~costengine.catalogs.OpenModel`,
:class:`~costengine.catalogs.CloudOffer`, :class:`~costengine.catalogs.Server`), so a user row obeys the same
rules as a shipped one, and returns a new :class:`~costengine.catalogs.Catalog`: the shipped rows first, then
the user's rows in their order (offer and server picks break ties by catalog order, so a shipped row wins a
tie).

How cells are read (the same rules as the template's check column):

- a row whose cells are all blank is skipped;
- numbers must be numbers (a number typed as text is refused: the sheet's formulas would not read it);
  a whole number is required where the catalog holds a count (layers, GPUs per instance, ...);
- a blank cell is empty text in a text column the class lets be empty (notes, region, a source of no
  figure) and "none" in a number column the class lets be blank (``fp4_tflops``, a price term an offer does
  not have, a server figure with no published source); any other blank cell is a problem ("is empty"),
  numbers that are 0 when absent included (a dense model's ``experts``: type 0);
- ``id`` (and an offer's or server's ``gpu``) must be text; ``as_of`` must be a date typed as text,
  ``YYYY-MM-DD``;
- an id may not repeat a shipped id or an earlier user row's (ids are matched ignoring case);
- an offer's or server's GPU must be in the hardware catalog (the shipped GPUs or the user's).

Every problem is reported, each keyed ``column (Sheet!A12)`` (or the row's label when the problem concerns
the whole row), in one :class:`~costengine.errors.CostModelError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from types import MappingProxyType
from typing import Any

from .catalogs import (
    GPU,
    HARDWARE_COLUMNS,
    MODEL_COLUMNS,
    MODEL_COUNTS,
    OFFER_COLUMNS,
    SERVER_COLUMNS,
    Catalog,
    CloudOffer,
    OpenModel,
    Server,
)
from .errors import CostModelError

__all__ = ["UserRow", "TABLES", "extend_catalog", "is_blank_row"]

#: The catalog tables a user can extend: Catalog attribute -> (row class, columns).
TABLES: dict[str, tuple[type, tuple[str, ...]]] = {
    "gpus": (GPU, HARDWARE_COLUMNS),
    "models": (OpenModel, MODEL_COLUMNS),
    "offers": (CloudOffer, OFFER_COLUMNS),
    "servers": (Server, SERVER_COLUMNS),
}
#: Text columns that hold an id (a number there would not match the sheet's lookups).
_ID_COLUMNS = ("id", "gpu")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class UserRow:
    """One user row: ``values`` by catalog column (numbers, text or None for blank), ``cells`` naming each
    column's cell (``Hardware!D25``) and ``label`` naming the row (``Hardware row 25``)."""

    label: str
    cells: Mapping[str, str]
    values: Mapping[str, Any]

    def where(self, column: str | None) -> str:
        """``column (Sheet!D25)``, or the row's label when no column is named."""
        if column is None or column not in self.cells:
            return self.label
        return f"{column} ({self.cells[column]})"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def is_blank_row(row: UserRow) -> bool:
    """Whether every cell of the row is blank (such rows are skipped)."""
    return all(_blank(v) for v in row.values.values())


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _text(v: Any) -> str:
    if _number(v):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v).strip()


def _values(cls: type, columns: tuple[str, ...], row: UserRow) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The typed values of a row (blank -> the column's default where it may be blank) and the problems."""
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for f in fields(cls):
        if f.name not in columns:
            continue
        raw = row.values.get(f.name)
        default = f.default if f.default is not MISSING else None
        if f.type == "str":
            if _blank(raw):
                out[f.name] = ""
            elif f.name in _ID_COLUMNS and not isinstance(raw, str):
                problems.append((row.where(f.name), "must be text (an id)"))
            elif f.name == "as_of" and not (isinstance(raw, str) and _DATE.fullmatch(raw.strip())):
                problems.append((row.where(f.name), f"must be a date typed as text YYYY-MM-DD (got {raw!r})"))
            else:
                out[f.name] = _text(raw)
        elif f.type == "bool":  # TRUE/FALSE (an Excel boolean or the text); blank = the default (False)
            text = str(raw).strip().lower()
            if isinstance(raw, bool) or _blank(raw) or text in ("true", "false"):
                out[f.name] = raw if isinstance(raw, bool) else (text == "true" if text else bool(default))
            else:
                problems.append((row.where(f.name), f"must be TRUE or FALSE (got {raw!r})"))
        elif _blank(raw) and cls is OpenModel and f.name in MODEL_COUNTS[2:]:
            out[f.name] = 0  # an attention or architecture column left blank: absent (full attention, no MLA, ...)
        elif _blank(raw):
            if f.type == "int" or default == 0.0:  # counts and figures that are 0 when absent: typed, 0 included
                problems.append((row.where(f.name), "is empty"))
            else:  # NaN: the class says whether the column may be blank
                out[f.name] = math.nan
        elif not _number(raw):
            problems.append((row.where(f.name), f"must be a number (got {raw!r})"))
        elif f.type == "int" and not float(raw).is_integer():
            problems.append((row.where(f.name), f"must be a whole number (got {raw!r})"))
        else:
            out[f.name] = int(raw) if f.type == "int" else float(raw)
    if "id" in out and not out["id"]:
        problems.insert(0, (row.where("id"), "is empty"))
    return out, problems


def _checked(cls: type, columns: tuple[str, ...], row: UserRow) -> tuple[Any, list[tuple[str, str]]]:
    """The row object, or None and the problems (the class's own check keyed by the cell it names)."""
    values, problems = _values(cls, columns, row)
    if problems:
        return None, problems
    try:
        return cls(**values), []
    except CostModelError as exc:
        head, _, rest = exc.problem.partition(" ")
        if head in columns:
            blank = _blank(row.values.get(head))
            return None, [(row.where(head), "is empty" if blank and "positive" in rest else rest)]
        return None, [(row.label, exc.problem)]


def extend_catalog(base: Catalog, rows: Mapping[str, Sequence[UserRow]]) -> Catalog:
    """``base`` with the user's rows appended (``rows``: Catalog attribute -> rows; see the module docstring).

    Raises
    ------
    CostModelError
        Every problem of every row, each keyed ``column (Sheet!D25)``.
    """
    unknown = set(rows) - set(TABLES)
    if unknown:
        raise CostModelError(sorted(unknown)[0], f"is not a catalog table; one of {', '.join(TABLES)}")
    tables: dict[str, Mapping[str, Any]] = {}
    problems: list[tuple[str, str]] = []
    for table, (cls, columns) in TABLES.items():
        merged = dict(getattr(base, table))
        shipped = set(merged)
        for row in rows.get(table, ()):
            if is_blank_row(row):
                continue
            obj, bad = _checked(cls, columns, row)
            if obj is not None:
                key = obj.id.lower()
                if key in merged:
                    whose = "a shipped row" if key in shipped else "an earlier row of yours"
                    bad = [(row.where("id"), f"{obj.id!r} repeats the id of {whose}; give the row its own id")]
                elif table in ("offers", "servers") and obj.gpu.lower() not in tables["gpus"]:
                    bad = [(row.where("gpu"), f"GPU {obj.gpu!r} is not on the Hardware sheet")]
            if bad:
                problems += bad
                continue
            merged[key] = obj
        tables[table] = MappingProxyType(merged)
    if problems:
        raise CostModelError(problems[0][0], problems[0][1], problems)
    return Catalog(**tables)
