"""Scenario files for the command line: CSV (one scenario per row) or YAML (a list of mappings).

Rows are streamed one at a time (:func:`iter_rows`), so a file of a million scenarios is never held in
memory. A file that is not CSV/YAML, or is malformed, raises :class:`~workbook.cli.errors.CliError` that
names the file and line (``scenarios.csv line 7: ...``). A bad *value* is not a file error: it is
reported by the engine when the row is validated, so that good rows can still be used.

Also here: ``--set KEY=VALUE`` overrides and the one-scenario ``--scenario FILE`` of ``compare`` and
``template`` (a YAML mapping, a CSV with one row, or a two-column ``key,value`` CSV as in the Inputs sheet).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from costengine import SCENARIO_KEYS, CostModelError, Scenario
from costengine.acceptance import FINANCE_EXAMPLES, finance_number
from costengine.errors import closest

from .errors import CliError

__all__ = ["Row", "iter_rows", "count_rows", "load_scenario", "parse_sets", "scenario_from", "file_kind", "NAME_COLUMN"]

#: The optional column (or YAML key) that names a scenario; it is not a scenario key.
NAME_COLUMN = "name"
_SUFFIXES = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}


@dataclass(frozen=True)
class Row:
    """One scenario read from a file.

    ``number`` counts scenarios from 1; ``line`` is where it starts in the file (1-based);
    ``values`` maps lower-cased keys to raw values (blank cells included, as ``""``).
    """

    number: int
    line: int
    name: str | None
    values: dict[str, Any]


def file_kind(path: str | Path) -> str:
    """``"csv"`` or ``"yaml"`` from the file's suffix; anything else is an error naming the file."""
    p = Path(path)
    kind = _SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise CliError(str(path), f"must be a .csv, .yaml or .yml scenario file (got {p.suffix or 'no suffix'!r})")
    if not p.is_file():
        raise CliError(str(path), "no such file" if not p.exists() else "is not a file")
    return kind


def iter_rows(path: str | Path) -> Iterator[Row]:
    """Stream the scenarios of a CSV or YAML file, one :class:`Row` at a time.

    Raises :class:`~workbook.cli.errors.CliError` (subject ``"<file> line <n>"``) for malformed files: bad
    CSV quoting, unnamed or duplicate columns (:class:`CostModelError` for a column that is not a key), text that is
    not UTF-8, YAML syntax errors, YAML items that are not
    mappings.
    """
    kind = file_kind(path)
    yield from (_csv_rows if kind == "csv" else _yaml_rows)(Path(path), str(path))


def count_rows(path: str | Path) -> int:
    """The number of scenarios in the file (one streaming pass, which also checks the syntax)."""
    return sum(1 for _ in iter_rows(path))


# --- CSV ------------------------------------------------------------------------------------------


def _check_header(header: Sequence[str], label: str) -> list[str]:
    columns = [str(c).strip().lower() for c in header]
    seen: set[str] = set()
    for c, raw in zip(columns, header):
        where = f"{label} line 1"
        if not c:
            raise CliError(where, "a column has no name in the header")
        if c in seen:
            raise CliError(where, f"column {raw.strip()!r} appears twice")
        seen.add(c)
        if c != NAME_COLUMN and c not in SCENARIO_KEYS:
            near = closest(c, SCENARIO_KEYS, n=1)
            hint = f"; did you mean {near[0]}?" if near else "; `llmcost catalog keys` lists them"
            raise CostModelError(where, f"column {raw.strip()!r} is not a scenario key{hint}")
    return columns


def _delimiter(first_line: str) -> str:
    """``;`` for the CSV that Excel writes in locales with a decimal comma, else ``,``."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(path: Path, label: str) -> Iterator[Row]:
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
            if not first.strip():
                return
            fh.seek(0)
            reader = csv.reader(fh, delimiter=_delimiter(first), strict=True)
            header = next(reader)
            if [c.strip().lower() for c in header[:2]] == ["key", "value"]:
                raise CliError(
                    f"{label} line 1",
                    "is a key,value file (one scenario); use it with --scenario, or put one scenario per row for batch",
                )
            columns = _check_header(header, label)
            number = 0
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(columns):
                    extra = ", ".join(repr(c) for c in cells[len(columns) :] if c.strip())
                    raise CliError(
                        f"{label} line {start}",
                        f"has {len(cells)} fields but the header has "
                        f"{len(columns)} columns (extra: {extra or 'empty fields'})",
                    )
                number += 1
                values = dict(zip(columns, cells))
                name = values.pop(NAME_COLUMN, "").strip() or None
                yield Row(number, start, name, values)
    except csv.Error as exc:
        raise CliError(f"{label} line {line}", f"malformed CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{label} line {line}",
            f"is not UTF-8 text ({exc.reason} at byte {exc.start} of the block read); save the file as CSV UTF-8",
        ) from None


# --- YAML -----------------------------------------------------------------------------------------


def _yaml_error(label: str, exc: yaml.YAMLError) -> CliError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"{label} line {mark.line + 1}" if mark is not None else label
    return CliError(where, f"malformed YAML ({problem})")


def _yaml_item(label: str, number: int, node: yaml.Node, data: Any) -> Row:
    line = node.start_mark.line + 1
    if not isinstance(data, dict):
        raise CliError(
            f"{label} line {line}", f"scenario {number} must be a mapping of key: value (got {type(data).__name__})"
        )
    values: dict[str, Any] = {}
    name = None
    for k, v in data.items():
        key = str(k).strip().lower()
        if key in values or (key == NAME_COLUMN and name is not None):
            raise CliError(f"{label} line {line}", f"key {key!r} is given twice in scenario {number}")
        if key == NAME_COLUMN:
            name = None if v is None else str(v).strip() or None
        else:
            values[key] = v
    return Row(number, line, name, values)


def _yaml_rows(path: Path, label: str) -> Iterator[Row]:
    """Stream a YAML list of mappings (or one mapping) item by item with the event API of PyYAML."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            loader = yaml.SafeLoader(fh)
            try:
                loader.get_event()  # stream start
                if loader.check_event(yaml.StreamEndEvent):
                    return
                loader.get_event()  # document start
                number = 0
                if loader.check_event(yaml.SequenceStartEvent):
                    loader.get_event()
                    while not loader.check_event(yaml.SequenceEndEvent):
                        node = loader.compose_node(None, None)
                        number += 1
                        yield _yaml_item(label, number, node, loader.construct_document(node))
                    loader.get_event()
                elif loader.check_event(yaml.MappingStartEvent):
                    node = loader.compose_node(None, None)
                    yield _yaml_item(label, 1, node, loader.construct_document(node))
                elif not loader.check_event(yaml.DocumentEndEvent):
                    event = loader.peek_event()
                    raise CliError(
                        f"{label} line {event.start_mark.line + 1}",
                        "must be a YAML list of scenarios (mappings of key: value)",
                    )
                loader.get_event()  # document end
                if not loader.check_event(yaml.StreamEndEvent):
                    event = loader.peek_event()
                    raise CliError(
                        f"{label} line {event.start_mark.line + 1}",
                        "holds more than one YAML document; put the scenarios in one list",
                    )
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        raise _yaml_error(label, exc) from None
    except UnicodeDecodeError as exc:
        raise CliError(label, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# --- one scenario: --scenario FILE and --set KEY=VALUE ----------------------------------------------


def _key_value_csv(path: Path, label: str) -> dict[str, Any] | None:
    """The mapping of a two-column ``key,value`` CSV (further columns ignored), or None if it is not one."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        reader = csv.reader(fh, delimiter=_delimiter(first), strict=True)
        header = [c.strip().lower() for c in next(reader, [])]
        if header[:2] != ["key", "value"]:
            return None
        out: dict[str, Any] = {}
        for cells in reader:
            if not cells or not cells[0].strip():
                continue
            key = cells[0].strip().lower()
            if key in out:
                raise CliError(f"{label} line {reader.line_num}", f"key {key!r} is given twice")
            out[key] = cells[1] if len(cells) > 1 else ""
        return out


def load_scenario(path: str | Path) -> dict[str, Any]:
    """The raw ``key -> value`` mapping of a one-scenario file (the ``name`` is dropped).

    Accepts a YAML mapping (or a list of one), a CSV with a header and one row, or a ``key,value`` CSV.
    """
    label = str(path)
    if file_kind(path) == "csv":
        try:
            kv = _key_value_csv(Path(path), label)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CliError(label, f"malformed CSV ({exc})") from None
        if kv is not None:
            return kv
    rows = []
    for row in iter_rows(path):
        rows.append(row)
        if len(rows) > 1:
            raise CliError(
                f"{label} line {row.line}",
                "holds more than one scenario; --scenario takes one (use `llmcost batch` for many)",
            )
    if not rows:
        raise CliError(label, "holds no scenario")
    return rows[0].values


#: Texts a number key takes that are not numbers (a latency target's "no target"), and blank (the default).
_NOT_NUMBERS = ("", "none", "no", "off")


def _is_number_key(key: str) -> bool:
    return Scenario.model_fields[key].annotation in (float, int, float | None, int | None)


def typed_number(subject: str, text: str) -> float:
    """A number typed on the command line as a finance user writes it (``10M``, ``2.5k``, ``10,000,000``:
    :func:`costengine.acceptance.finance_number`); an error naming ``subject`` when it is not one."""
    number = finance_number(text)
    if number is None:
        raise CostModelError(subject, f"cannot read {text.strip()!r} as a number ({FINANCE_EXAMPLES})")
    return number


def read_requests(text: str | None) -> float | None:
    """``--requests N`` [requests/month]: a finance-style number >= 0 (``None``: the scenario's volume)."""
    if text is None:
        return None
    number = typed_number("--requests", text)
    if number < 0:
        raise CostModelError("--requests", f"must be >= 0 (got {text.strip()!r})")
    return number


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``["KEY=VALUE", ...]`` -> ``{key: value}`` (later ones win); unknown keys get the closest key. The value
    of a number key is read as a finance user types it (:func:`typed_number`: ``10M``, ``2.5k``,
    ``10,000,000``); its "none"/blank stay text for the scenario to read."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise CliError("--set", f"must be KEY=VALUE (got {item!r})")
        if key not in SCENARIO_KEYS:
            near = closest(key, SCENARIO_KEYS, n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise CostModelError(f"--set {key}", f"unknown key{hint}")
        value = value.strip()
        if _is_number_key(key) and value.lower() not in _NOT_NUMBERS:
            out[key] = typed_number(key, value)
        else:
            out[key] = value
    return out


def scenario_from(path: str | Path | None, sets: Sequence[str] | None) -> Scenario:
    """The scenario of ``--scenario FILE`` (or the defaults) with ``--set`` overrides applied."""
    values = load_scenario(path) if path is not None else {}
    values = {str(k).strip().lower(): v for k, v in values.items()}
    values.update(parse_sets(sets))
    return Scenario.parse(values)
