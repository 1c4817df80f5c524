"""``llmcost catalog add-model CONFIG.json``: a Hugging Face ``config.json`` the user has, turned into a row of the
model catalog (no network). The architecture and the parameter counts come from
:func:`costengine.model_config.row_from_config`; the row is printed as CSV (header and row) or appended to a user
catalog file (``-o models.csv``: created with its header, or checked to have the catalog's columns).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from costengine.catalogs import MODEL_COLUMNS, OpenModel
from costengine.model_config import row_from_config

from .errors import CliError

__all__ = ["model_row", "csv_text", "append"]


def model_row(
    config_path: str,
    *,
    id: str | None = None,
    name: str | None = None,
    license: str | None = None,
    source: str | None = None,
    as_of: str | None = None,
    reasoning: bool = False,
) -> dict[str, Any]:
    """The model row of ``config_path`` (checked by the catalog's row class); ``id`` defaults to the last part of the
    config's ``_name_or_path``, ``name`` to the id, ``source`` to the file, ``as_of`` to today (UTC)."""
    path = Path(config_path)
    where = path.name
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(config_path, f"cannot be read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CliError(config_path, f"is not JSON ({exc})") from None
    if not isinstance(config, dict):
        raise CliError(where, "not a JSON object")
    if not id:
        named = str(config.get("_name_or_path") or "").rstrip("/").split("/")[-1]
        if not named:
            raise CliError("--id", f"needed: {where} has no _name_or_path to name the model by")
        id = named.lower()
    row = row_from_config(
        config,
        id=id,
        name=name or id,
        license=license or "unknown (give --license)",
        source=source or f"{path.name} given to llmcost catalog add-model",
        as_of=as_of or datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        where=where,
    )
    row["reasoning"] = "true" if reasoning else "false"
    OpenModel(**row)  # the catalog's own checks
    return row


def csv_text(row: dict[str, Any], header: bool = True) -> str:
    """The row as CSV text in the catalog's column order (with the header line first unless ``header`` is False)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(MODEL_COLUMNS)
    w.writerow([row[c] for c in MODEL_COLUMNS])
    return buf.getvalue()


def append(row: dict[str, Any], target: str) -> str:
    """Append ``row`` to the user catalog file ``target`` (created with the header when missing or empty); a file
    with other columns, or holding the id already, is an error naming the file. Returns what was done."""
    path = Path(target)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        path.write_text(csv_text(row), encoding="utf-8")
        return f"{target}: created with model {row['id']}"
    reader = csv.reader(io.StringIO(text))
    head = tuple(next(reader))
    if head != MODEL_COLUMNS:
        raise CliError(target, "has other columns than the model catalog (costengine.data/models.csv)")
    if any(r and r[0].strip().lower() == str(row["id"]).lower() for r in reader):
        raise CliError(target, f"already has model {row['id']!r}; give another --id")
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(("" if text.endswith("\n") else "\n") + csv_text(row, header=False))
    return f"{target}: model {row['id']} appended"
