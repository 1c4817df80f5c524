"""``llmcost catalog``: the GPU, open-model, token-price and scenario-key catalogs as searchable tables.

Each catalog is described once in :data:`VIEWS` (its rows, the columns shown and the text searched),
so adding a catalog is adding an entry, not a branch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console

from costengine import CostModelError, key_info, load_catalog
from costengine.catalogs import as_dict, token_price_table
from costengine.price_rules import STALE_DAYS, age_days, catalog_date
from costengine.profiles import load_profiles, peak_to_average_of
from costengine.token_prices import token_prices_source

from .fit import ENG, KEY, MONEY, TEXT, Col, plural, print_fitted

__all__ = ["View", "VIEWS", "search", "render", "as_json", "shipped_file", "DATA_PACKAGE"]


@dataclass(frozen=True)
class View:
    """One catalog: ``rows()`` gives dicts; ``columns`` are (field, heading) pairs; ``searched`` the fields
    matched by SEARCH; ``source`` a line saying where the data comes from; ``money`` the price fields (never cut
    nor dropped at any terminal width); the first ``keys`` columns name the row (repeated when a table is
    printed in parts); the other columns, but those in ``keep``, are dropped last first when the terminal is
    narrow."""

    title: str
    rows: Callable[[], Iterable[dict[str, Any]]]
    columns: tuple[tuple[str, str], ...]
    searched: tuple[str, ...]
    source: Callable[[], str]
    money: tuple[str, ...] = ()
    keys: int = 1
    keep: tuple[str, ...] = ()


#: The package the catalog files ship in (``templates/`` in the source tree, ``costengine/data`` installed).
DATA_PACKAGE = "costengine.data"


def _shipped(filename: str, more: str = "") -> str:
    """The footer naming a catalog file as it is installed: the package resource, not a source-tree path."""
    return f"{DATA_PACKAGE}/{filename} (sources per row: --format json, or the file{more})"


def shipped_file(footer: str) -> str | None:
    """The catalog file a footer names (``None`` when it names none): what the wheel's package data must hold."""
    prefix = DATA_PACKAGE + "/"
    if prefix not in footer:
        return None
    return footer.split(prefix, 1)[1].split(" ", 1)[0]


def _gpus() -> list[dict[str, Any]]:
    return [
        {**as_dict(g), "price_age_days": age_days(g.price_date), "cloud_price_age_days": age_days(g.cloud_price_date)}
        for g in load_catalog().gpus.values()
    ]


def _attention(m: Any) -> str:
    """The attention kinds of a model row in a few words (``MLA 512+64``, ``window 128 x 18``, ``linear x 36``)."""
    parts = [f"MLA {m.kv_lora_rank}+{m.qk_rope_head_dim}"] if m.kv_lora_rank else []
    if m.sliding_layers:
        parts.append(f"window {m.sliding_window:,} x {m.sliding_layers}")
    if m.linear_layers:
        parts.append(f"linear x {m.linear_layers}")
    return ", ".join(parts) or "full"


def _models() -> list[dict[str, Any]]:
    return [{**as_dict(m), "attention": _attention(m)} for m in load_catalog().models.values()]


def _offers() -> list[dict[str, Any]]:
    out = []
    for o in load_catalog().offers.values():
        row = as_dict(o)
        gpus = o.gpus_per_instance
        row["on_demand_gpu_h"] = o.on_demand_per_hour_usd / gpus
        row["per_second_gpu_h"] = o.per_second_usd * 3600 / gpus
        row["price_age_days"] = age_days(o.price_date)
        out.append(row)
    return out


def _servers() -> list[dict[str, Any]]:
    return [{**as_dict(s), "price_age_days": age_days(s.price_date)} for s in load_catalog().servers.values()]


def _old(age: float) -> bool:
    return math.isnan(age) or age > STALE_DAYS


def stale(kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``offers``, ``servers`` or ``gpus`` whose price is undated or older than ``STALE_DAYS`` at the
    catalog's date (``costengine.price_rules``; a server or GPU without a price has none to age; a GPU is listed when
    its purchase or its cloud price is)."""
    if kind == "offers":
        return [r for r in rows if _old(r["price_age_days"])]
    if kind == "servers":
        return [r for r in rows if not math.isnan(r["price_usd"]) and _old(r["price_age_days"])]
    if kind == "gpus":
        return [
            r
            for r in rows
            if any(not math.isnan(r[p]) and _old(r[a]) for p, a in _GPU_PRICE_AGES)  # a blank price has no age
        ]
    raise CostModelError("--stale", "lists offers, servers or gpus (token prices carry no date: genai-prices has none)")


#: A GPU's prices and their ages [days before the catalog's date].
_GPU_PRICE_AGES = (("price_usd", "price_age_days"), ("cloud_price_per_hour_usd", "cloud_price_age_days"))


def _prices() -> list[dict[str, Any]]:
    out = []
    for p in token_price_table():
        row = as_dict(p)
        row["flags"] = ", ".join(
            f for f, on in (("time of day", p.time_of_day), ("no cache price", not p.cache_read_listed)) if on
        )
        row["note"] = p.note
        out.append(row)
    return out


def _profiles() -> list[dict[str, Any]]:
    """The load profiles with their peak-to-average ratio and the busiest hour [UTC or local, as the source]."""
    out = []
    for p in load_profiles().values():
        w = p.weights
        out.append(
            {
                **as_dict(p),
                "peak_to_average": peak_to_average_of(p.id),
                "peak_hour": f"{w.index(max(w)):02d}:00",
            }
        )
    return out


def _keys() -> list[dict[str, Any]]:
    return [{**k, "default": "(blank)" if k["default"] is None else k["default"]} for k in key_info()]


VIEWS: dict[str, View] = {
    "gpus": View(
        "GPUs",
        _gpus,
        (
            ("id", "id"),
            ("memory_gb", "GB"),
            ("bandwidth_tbps", "TB/s"),
            ("bf16_tflops", "bf16 TF/s"),
            ("fp8_tflops", "fp8 TF/s"),
            ("tdp_w", "TDP W"),
            ("price_usd", "USD"),
            ("price_age_days", "age d"),
            ("grade", "grade"),
            ("cloud_price_per_hour_usd", "cloud USD/h"),
            ("cloud_price_age_days", "cloud age d"),
            ("cloud_grade", "cloud grade"),
        ),
        ("id", "name", "vendor"),
        lambda: _shipped(
            "hardware.csv",
            f"; price - = none found (blank); age = days before the catalog's date {catalog_date()}, - = undated",
        ),
        money=("price_usd", "cloud_price_per_hour_usd"),
    ),
    "models": View(
        "Open models",
        _models,
        (
            ("id", "id"),
            ("params_billion", "params B"),
            ("active_params_billion", "active B"),
            ("layers", "layers"),
            ("kv_heads", "KV heads"),
            ("head_dim", "head dim"),
            ("context_length", "context"),
            ("attention", "attention"),
            ("reasoning", "reasons"),
        ),
        ("id", "name", "license"),
        lambda: _shipped("models.csv"),
    ),
    "offers": View(
        "Cloud offers (USD per instance-hour; per GPU-hour where it says so)",
        _offers,
        (
            ("id", "id"),
            ("provider", "provider"),
            ("gpu", "GPU"),
            ("gpus_per_instance", "GPUs"),
            ("on_demand_per_hour_usd", "on demand"),
            ("commit_1y_per_hour_usd", "1 year"),
            ("commit_3y_per_hour_usd", "3 years"),
            ("spot_per_hour_usd", "spot"),
            ("on_demand_gpu_h", "on demand /GPU-h"),
            ("per_second_gpu_h", "per second /GPU-h"),
            ("price_date", "price date"),
            ("price_age_days", "age d"),
            ("grade", "grade"),
        ),
        ("id", "provider", "instance", "region", "gpu"),
        lambda: _shipped(
            "cloud_offers.csv",
            f"; age = days before the catalog's date {catalog_date()}, blank price date = undated",
        ),
        money=(
            "on_demand_per_hour_usd",
            "commit_1y_per_hour_usd",
            "commit_3y_per_hour_usd",
            "spot_per_hour_usd",
            "on_demand_gpu_h",
            "per_second_gpu_h",
        ),
    ),
    "servers": View(
        "Servers",
        _servers,
        (
            ("id", "id"),
            ("gpu", "GPU"),
            ("gpus_per_server", "GPUs"),
            ("price_usd", "USD"),
            ("typical_kw", "typical kW"),
            ("max_kw", "max kW"),
            ("support_per_year_usd", "support USD/yr"),
            ("standard", "standard"),
            ("price_date", "price date"),
            ("price_age_days", "age d"),
            ("grade", "grade"),
        ),
        ("id", "name", "vendor", "gpu"),
        lambda: _shipped(
            "servers.csv", f"; - = no published figure; age = days before the catalog's date {catalog_date()}"
        ),
        money=("price_usd", "support_per_year_usd"),
    ),
    "prices": View(
        "Token prices (USD per million tokens)",
        _prices,
        (
            ("provider", "provider"),
            ("model", "model"),
            ("input", "input"),
            ("output", "output"),
            ("cache_read", "cached"),
            ("batch_discount", "batch off"),
            ("context_window", "context"),
            ("flags", "flags"),
        ),
        ("provider", "model", "name"),
        lambda: (
            f"{token_prices_source()} (its data records no price date); flags: time of day = standard price used (the "
            "off-peak one: --format json, note), no cache price = cached input priced as input"
        ),
        money=("input", "output", "cache_read"),
        keys=2,
    ),
    "profiles": View(
        "Load profiles (relative load of each hour of a day; the hybrid and peak_to_average use them)",
        _profiles,
        (
            ("id", "id"),
            ("peak_to_average", "peak/avg"),
            ("peak_hour", "peak hour"),
            ("as_of", "as of"),
            ("source", "source"),
        ),
        ("id", "source", "notes"),
        lambda: _shipped("load_profiles.csv", "; hours h00..h23: --format json"),
        keep=("source",),
    ),
    "keys": View(
        "Scenario keys",
        _keys,
        (("key", "key"), ("default", "default"), ("unit", "unit"), ("meaning", "meaning")),
        ("key", "meaning", "unit"),
        lambda: "the scenario model costengine.Scenario (its fields and their descriptions)",
    ),
}


def search(kind: str, words: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The rows of catalog ``kind`` whose searched fields contain every word (case-insensitive)."""
    view = VIEWS[kind]
    wanted = [w.lower() for w in words if w.strip()]
    out = []
    for row in view.rows():
        text = " ".join(str(row.get(f, "")) for f in view.searched).lower()
        if all(w in text for w in wanted):
            out.append(row)
    if not out and wanted:
        raise CostModelError(
            " ".join(words), f"matches nothing in the {kind} catalog; run `llmcost catalog {kind}` to list it"
        )
    return out


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def render(console: Console, kind: str, rows: list[dict[str, Any]], limit: int | None) -> None:
    """Print ``rows`` of catalog ``kind`` as a table (at most ``limit`` rows; ``None`` = all)."""
    view = VIEWS[kind]
    shown = rows if limit is None else rows[:limit]
    cells = [[_cell(row.get(field)) for field, _ in view.columns] for row in shown]
    cols = []
    for k, (field, heading) in enumerate(view.columns):
        numeric = any(isinstance(r.get(field), (int, float)) for r in shown)
        justify = "right" if numeric else "left"
        if k < view.keys:  # the row's name: long ids fold
            cols.append(Col(heading, KEY, justify, fold=True))
        elif field in view.money:
            cols.append(Col(heading, MONEY, justify))
        elif numeric or field == "as_of":  # numbers and dates never wrap
            cols.append(Col(heading, ENG, justify, drop=k))
        else:
            cols.append(Col(heading, TEXT, justify, drop=0 if field in view.keep else k))
    print_fitted(console, cols, cells, view.title, box=box.SIMPLE_HEAD, pad_edge=False)
    more = f"; showing {len(shown)}, use --limit 0 for all or SEARCH to narrow" if len(shown) < len(rows) else ""
    console.print(f"{plural(len(rows), 'row')} from {view.source()}{more}", markup=False)


def as_json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON list (NaN -> null)."""
    clean = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in rows]
    return json.dumps(clean, indent=2, default=str)
