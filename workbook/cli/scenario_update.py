"""Write keys into a one-scenario file in place (``llmcost calibrate --scenario FILE``), keeping its other keys.

The file takes the forms that ``--scenario`` reads (:func:`~workbook.cli.scenario_files.load_scenario`): a YAML
mapping (or a list of one), a CSV with a header and one row, or a two-column ``key,value`` CSV. A key already
there gets the new value where it stands; a new key is added at the end. YAML is edited as text at the
positions PyYAML reports, so comments, order and quoting of the other keys stay as they were (a flow-style
mapping, ``{a: 1}``, is written again as block YAML). A file that does not exist is created. The file is
replaced atomically (:func:`workbook.xlsx.files.atomic_open`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from ..xlsx.files import atomic_open
from .errors import CliError
from .scenario_files import _SUFFIXES, _delimiter, load_scenario

__all__ = ["check_scenario_path", "update_scenario_file"]


def _one(data: object) -> dict:
    return dict((data[0] if isinstance(data, list) else data) or {})


def _yaml_rewritten(text: str, values: dict[str, str]) -> str:
    data = _one(yaml.safe_load(text))
    data.update({k: yaml.safe_load(v) for k, v in values.items()})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _yaml_text(text: str, values: dict[str, str]) -> str:
    """``text`` (one YAML scenario) with ``values`` set: edited in place, or written again if that fails."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(node, yaml.SequenceNode):
        node = node.value[0]
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        return _yaml_rewritten(text, values)
    edits: list[tuple[int, int, str]] = []
    todo = dict(values)
    for key_node, value_node in node.value:
        key = str(key_node.value).strip().lower()
        if key in todo:
            start, end = value_node.start_mark.index, value_node.end_mark.index
            # a blank value (``key:``) has an empty span right after the colon: keep a space before the value
            edits.append((start, end, todo.pop(key) if end > start else " " + todo.pop(key)))
    if todo:
        indent = " " * node.value[0][0].start_mark.column
        eol = text.find("\n", node.value[-1][1].end_mark.index)
        at = len(text) if eol < 0 else eol + 1
        added = "".join(f"{indent}{k}: {v}\n" for k, v in todo.items())
        edits.append((at, at, ("\n" if eol < 0 else "") + added))
    new = text
    for start, end, piece in sorted(edits, reverse=True):
        new = new[:start] + piece + new[end:]
    try:
        expected = _one(yaml.safe_load(text)) | {k: yaml.safe_load(v) for k, v in values.items()}
        if _one(yaml.safe_load(new)) == expected:
            return new
    except yaml.YAMLError:
        pass
    return _yaml_rewritten(text, values)  # a layout the text edit did not foresee: correct values over comments


def _csv_text(text: str, values: dict[str, str]) -> str:
    """``text`` (a ``key,value`` CSV or a header-and-one-row CSV) with ``values`` set."""
    delimiter = _delimiter(text.split("\n", 1)[0])
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    todo = dict(values)
    if [c.strip().lower() for c in rows[0][:2]] == ["key", "value"]:
        for cells in rows[1:]:
            if cells and cells[0].strip().lower() in todo:
                cells[1:2] = [todo.pop(cells[0].strip().lower())]
        rows += [[k, v] for k, v in todo.items()]
    else:
        header = [c.strip().lower() for c in rows[0]]
        data = next(cells for cells in rows[1:] if any(c.strip() for c in cells))
        data += [""] * (len(header) - len(data))
        for k in list(todo):
            if k in header:
                data[header.index(k)] = todo.pop(k)
        rows[0] += list(todo)
        data += list(todo.values())
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def check_scenario_path(path: str | Path) -> str:
    """``"csv"`` or ``"yaml"`` from the suffix of a scenario file to write; a workbook or any other suffix is a
    :class:`CliError` saying what to do instead."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raise CliError(
            str(path),
            "is a workbook; calibrate writes scenario files (.yaml, .yml, .csv). Type the "
            "keys into its Inputs sheet (then `llmcost refresh` it), or write a new "
            "workbook with `llmcost template --scenario FILE --set KEY=VALUE ...`",
        )
    if suffix not in _SUFFIXES:
        raise CliError(str(path), f"must be a .csv, .yaml or .yml scenario file (got {suffix or 'no suffix'!r})")
    return _SUFFIXES[suffix]


def update_scenario_file(path: str | Path, values: dict[str, str]) -> bool:
    """Set ``values`` (key -> value as text) in the one-scenario file at ``path``; other keys are kept.

    Returns True if the file was created, False if an existing one was updated.

    Raises
    ------
    CliError
        ``path`` is a workbook, not a .csv/.yaml/.yml file, or not a one-scenario file (the message of
        :func:`~workbook.cli.scenario_files.load_scenario`).
    """
    target = Path(path)
    kind = check_scenario_path(target)
    created = not target.exists()
    text = "" if created else target.read_text(encoding="utf-8-sig")
    if text.strip():
        load_scenario(target)  # one scenario, well-formed: or a CliError naming the line
    if kind == "yaml":
        new = _yaml_text(text, values) if text.strip() else "".join(f"{k}: {v}\n" for k, v in values.items())
    else:
        new = (
            _csv_text(text, values)
            if text.strip()
            else "key,value\n" + "".join(f"{k},{v}\n" for k, v in values.items())
        )
    bom = not created and target.read_bytes().startswith(b"\xef\xbb\xbf")
    with atomic_open(target, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        fh.write(new)
    return created
