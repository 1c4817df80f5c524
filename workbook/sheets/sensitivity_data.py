"""The sensitivity table of a scenario, computed by the engine when the workbook is written, and the hidden
block of the Inputs sheet that holds it.

Why Python: a one-at-a-time swing needs the whole model (catalog lookups, sizing, roofline throughput,
coefficients) recomputed for each input and side, some 60 times; :func:`costengine.sensitivity.sensitivity`
does that in ~60 ms. The workbook holds the result as values, which go stale when the Inputs change; the
Sensitivity sheet says so, and ``llmcost refresh WORKBOOK`` (:func:`workbook.cli.refresh.refresh_workbook`)
writes the workbook again for the inputs it holds.

Why on the Inputs sheet (hidden columns L:AL): the Inputs sheet is the one part of a generated workbook
that depends on the scenario; :mod:`workbook.xlsx.template_cache` builds every other sheet once and rebuilds only
this one per scenario. Keeping the scenario's values here keeps that true. The Sensitivity sheet shows the
block through formulas and draws its tornado chart from them.

Layout of the block:

- column L, on each key's row: the value the key had when the table was computed (blank = blank), so a
  formula can tell whether the Inputs changed since (:data:`SNAPSHOT_COL`); the keys that do not enter
  the monthly cost (growth, horizon, discount rate: :data:`NOT_SWUNG`) hold a link to column B instead,
  so changing them does not make the table stale;
- row 1 headers, rows 2 .. 1 + :data:`MAX_ROWS`: one row per swung input (:data:`DATA_COLS` give the
  columns), ordered by the size of the effect on the *lead* of the cheapest option over the next best;
- below, one ``name | value`` row per entry of :data:`META` (the base costs, the lead, the status).

- below that, the hybrids' changes (:data:`HYBRID_COLS`), one row per input in the table's order.

The lead: ``lead = min(cost of the other two options) - cost of the cheapest``, at the base and with one
input at its low or high value (the base's cheapest option is kept). A change below ``-lead`` makes
another option cheaper: the answer flips.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.utils import get_column_letter

from costengine import SCENARIO_KEYS, CostModelError, Scenario, key_info
from costengine.engine import OPTIONS, PAIRS, TEXT_KEYS
from costengine.sensitivity import DEFAULT_SWING, HYBRIDS, SENSITIVITY_KEYS, sensitivity

from ..kit import put, put_text

__all__ = [
    "SNAPSHOT_COL",
    "DATA_COLS",
    "HYBRID_COLS",
    "FIRST_DATA_ROW",
    "MAX_ROWS",
    "META",
    "NOT_SWUNG",
    "data_ref",
    "meta_ref",
    "sensitivity_rows",
    "write_sensitivity_block",
    "snapshot_value",
]

SNAPSHOT_COL = "L"
_FIRST_COL = 14  # N
FIRST_DATA_ROW = 2
#: Rows of the table: every swung key, plus one when seconds_per_request splits into cloud and on-premises.
MAX_ROWS = len(SENSITIVITY_KEYS) + 1
#: The table's columns, in order (column N onwards).
DATA_COLS: tuple[str, ...] = (
    "rank",
    "chart_label",
    "input",
    "key",
    "base",
    "low",
    "high",
    "lead_low",
    "lead_high",
    *(f"{o}_{side}" for o in OPTIONS for side in ("low", "high")),
    "cheapest_low",
    "cheapest_high",
    "flips",
    *(f"be_{a}_{b}_{side}" for a, b in PAIRS for side in ("low", "high")),
    "note",
)
#: The hybrids' columns (change of their monthly cost), in a block of their own below :data:`META` (same rows,
#: columns N onwards): the block left of the Inputs sheet's own columns has no room for more columns.
HYBRID_COLS: tuple[str, ...] = tuple(f"{h}_{side}" for h in HYBRIDS for side in ("low", "high"))
#: Entries below the table: name -> meaning.
META: dict[str, str] = {
    "status": "empty when computed; otherwise why not",
    "swing": "relative swing, low = base x (1 - swing), high = base x (1 + swing)",
    "cheapest": "cheapest option at the base",
    "cheapest_cost": "its monthly cost",
    "runner_up": "next best option at the base",
    "runner_up_cost": "its monthly cost",
    "lead": "runner-up cost - cheapest cost [money/month]",
    **{f"{o}_cost": f"{o} monthly cost at the base" for o in OPTIONS},
    **{f"be_{a}_{b}": f"break-even {a} / {b} at the base [requests/month]" for a, b in PAIRS},
    "flippers": "inputs that flip the cheapest option",
    "rows": "rows of the table",
    **{f"{h}_cost": f"{h} monthly cost at the base" for h in HYBRIDS},
}
_META_ROW0 = FIRST_DATA_ROW + MAX_ROWS + 2
_HYBRID_ROW0 = _META_ROW0 + len(META) + 2  # header of the hybrids' block
#: Numeric keys the sensitivity does not swing because the monthly cost does not depend on them.
NOT_SWUNG = frozenset(k for k in SCENARIO_KEYS if k not in SENSITIVITY_KEYS and k not in TEXT_KEYS)
_UNITS = {row["key"]: row["unit"] for row in key_info()}


def data_ref(col: str, i: int) -> str:
    """Absolute reference (without sheet) of column ``col`` of table row ``i`` (0-based)."""
    if col in HYBRID_COLS:
        return f"${get_column_letter(_FIRST_COL + HYBRID_COLS.index(col))}${_HYBRID_ROW0 + 1 + i}"
    return f"${get_column_letter(_FIRST_COL + DATA_COLS.index(col))}${FIRST_DATA_ROW + i}"


def meta_ref(name: str) -> str:
    """Absolute reference (without sheet) of the value of the entry ``name`` of :data:`META`."""
    return f"${get_column_letter(_FIRST_COL + 1)}${_META_ROW0 + 1 + list(META).index(name)}"


def _short(v: float) -> str:
    """A number for a chart label: thousands separators from 1,000, four significant digits below."""
    if v == 0:
        return "0"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}" if abs(v) >= 1 else f"{v:.3g}"


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(float(v))


def sensitivity_rows(
    s: Scenario, swing: float = DEFAULT_SWING, catalog=None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The table and the base figures (:data:`DATA_COLS`, :data:`META`) of ``s``, from the engine.

    Rows are ordered by ``max(|lead change at low|, |lead change at high|)``, largest first; rows whose lead
    cannot be computed come last; ties keep the engine's order (largest change of any option's cost).
    Money is in the scenario's currency [money/month]; break-evens in requests/month ("none" = they do
    not cross); "n/a" where the swung scenario cannot be computed (the note says why).
    """
    try:
        df = sensitivity(s, swing, catalog=catalog)
    except CostModelError as exc:
        return [], {"status": f"not computed: {exc.key}: {exc.problem}", "swing": swing, "rows": 0}
    base = df.attrs["base"]
    cheapest = base["cheapest"]
    others = [o for o in OPTIONS if o != cheapest]
    runner = min(others, key=lambda o: base[f"{o}_cost"])
    lead = base[f"{runner}_cost"] - base[f"{cheapest}_cost"]
    meta: dict[str, Any] = {
        "status": "",
        "swing": swing,
        "cheapest": cheapest,
        "cheapest_cost": base[f"{cheapest}_cost"],
        "runner_up": runner,
        "runner_up_cost": base[f"{runner}_cost"],
        "lead": lead,
    }
    meta.update({f"{o}_cost": base[f"{o}_cost"] for o in (*OPTIONS, *HYBRIDS)})
    meta.update(
        {f"be_{a}_{b}": base[f"breakeven_{a}_{b}"] if _finite(base[f"breakeven_{a}_{b}"]) else "none" for a, b in PAIRS}
    )
    rows = []
    for rec in df.to_dict("records"):
        row: dict[str, Any] = {k: rec[k] for k in ("key", "base", "low", "high")}
        unit = _UNITS[rec["key"]].replace("money", s.currency)
        row["label"] = rec["input"]
        row["input"] = f"{rec['input']} [{unit}]"
        row["chart_label"] = f"{rec['input']} ({_short(rec['low'])} to {_short(rec['high'])})"
        for side in ("low", "high"):
            ok = rec[f"cheapest_{side}"] is not None
            costs = {o: rec[f"{o}_cost_{side}"] for o in OPTIONS}
            change = min(costs[o] for o in others) - costs[cheapest] - lead
            row[f"lead_{side}"] = change if ok and _finite(change) else "n/a"
            for o in (*OPTIONS, *HYBRIDS):  # the hybrids: their cost's change, replicas chosen again
                v = rec[f"{o}_change_{side}"]
                row[f"{o}_{side}"] = v if ok and _finite(v) else "n/a"
            row[f"cheapest_{side}"] = rec[f"cheapest_{side}"] if ok else "n/a"
            for a, b in PAIRS:
                v = rec[f"breakeven_{a}_{b}_{side}"]
                row[f"be_{a}_{b}_{side}"] = v if _finite(v) else "none" if ok else "n/a"
        row["flips"] = "yes" if rec["flips_cheapest"] else "no"
        row["note"] = rec["note"]
        rows.append(row)
    size = [
        max((abs(row[f"lead_{side}"]) for side in ("low", "high") if _finite(row[f"lead_{side}"])), default=-1.0)
        for row in rows
    ]
    order = sorted(range(len(rows)), key=lambda i: -size[i])  # stable: ties keep the engine's order
    rows = [rows[i] for i in order]
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
    flippers = [row["label"] for row in rows if row["flips"] == "yes"]
    meta["flippers"] = ", ".join(flippers) if flippers else "none"
    meta["rows"] = len(rows)
    return rows, meta


def snapshot_value(v: Any) -> Any:
    """A scenario value as the Inputs sheet writes it (whole floats as integers)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def write_sensitivity_block(ws, scenario: Scenario, first_key_row: int, catalog=None) -> None:
    """Write the snapshot column and the sensitivity table of ``scenario`` into the Inputs sheet ``ws``.

    Every cell of the block is written with the same style whatever the scenario (blank cells too), so
    the workbook's style table does not depend on the scenario.
    """
    put_text(ws, f"{SNAPSHOT_COL}1", "value when Sensitivity was computed", "header")
    values = scenario.model_dump()
    for i, key in enumerate(SCENARIO_KEYS):
        v = values[key]
        ref = f"{SNAPSHOT_COL}{first_key_row + i}"
        if key in NOT_SWUNG:
            put(ws, ref, f"=B{first_key_row + i}", "data")
        elif v is None or isinstance(v, str):
            put_text(ws, ref, "" if v is None else v, "data")
        else:
            put(ws, ref, snapshot_value(v), "data")
    rows, meta = sensitivity_rows(scenario, catalog=catalog)  # catalog: the workbook's (None: the shipped one)
    for j, col in enumerate(DATA_COLS):
        put_text(ws, f"{get_column_letter(_FIRST_COL + j)}1", col, "header")
    for i in range(MAX_ROWS):
        row = rows[i] if i < len(rows) else {}
        for j, col in enumerate(DATA_COLS):
            _value(ws, f"{get_column_letter(_FIRST_COL + j)}{FIRST_DATA_ROW + i}", row.get(col))
    label, value = get_column_letter(_FIRST_COL), get_column_letter(_FIRST_COL + 1)
    put_text(ws, f"{label}{_META_ROW0}", "sensitivity: base figures", "header")
    put_text(ws, f"{value}{_META_ROW0}", "", "header")
    for i, name in enumerate(META, start=1):
        put_text(ws, f"{label}{_META_ROW0 + i}", name, "data")
        _value(ws, f"{value}{_META_ROW0 + i}", meta.get(name))
    for j, col in enumerate(HYBRID_COLS):  # the hybrids' block: the same rows as the table above
        put_text(ws, f"{get_column_letter(_FIRST_COL + j)}{_HYBRID_ROW0}", col, "header")
    for i in range(MAX_ROWS):
        row = rows[i] if i < len(rows) else {}
        for col in HYBRID_COLS:
            _value(ws, data_ref(col, i).replace("$", ""), row.get(col))
    for c in range(ord(SNAPSHOT_COL) - 64, _FIRST_COL + len(DATA_COLS)):
        ws.column_dimensions[get_column_letter(c)].hidden = True


def _value(ws, ref: str, v: Any) -> None:
    if v is None or isinstance(v, str):
        put_text(ws, ref, "" if v is None else v, "data")
    elif isinstance(v, float) and not math.isfinite(v):
        put_text(ws, ref, "n/a", "data")
    else:
        put(ws, ref, v if isinstance(v, int) else float(v), "data")
