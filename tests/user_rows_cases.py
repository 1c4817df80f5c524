"""Workbooks with the user's own catalog rows typed in (as a user would, below the shipped rows).

The rows are made up for the tests (no real product has these figures); their sources say so.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils.cell import range_boundaries

from costengine import Scenario
from costengine.user_rows import TABLES
from workbook.builder import build_workbook
from workbook.xlsx.catalog_rows import USER_ROW_NAMES

MADE_UP = "made-up test row (no real product)"
GPU = dict(
    id="TEST-GPU-X",
    name="Test GPU X 96GB",
    vendor="Test",
    memory_gb=96,
    bandwidth_tbps=4.0,
    bf16_tflops=1200,
    fp8_tflops=2400,
    tdp_w=800,
    price_usd=28000,
    cloud_price_per_hour_usd=3.1,
    spec_source=MADE_UP,
    price_source=MADE_UP,
    cloud_price_source=MADE_UP,
    as_of="2026-12-01",
    fp8_hardware="yes",
    interconnect="nvlink",
    interconnect_gbps=450,
    serving_efficiency=0.9,
)
MODEL = dict(
    id="test-model-30b",
    name="Test Model 30B",
    params_billion=30,
    active_params_billion=30,
    layers=48,
    attention_heads=40,
    kv_heads=8,
    head_dim=128,
    hidden_size=5120,
    context_length=32768,
    license="test",
    source=MADE_UP,
    as_of="2026-12-01",
    native_precision="bf16",
    experts=0,
    experts_per_token=0,
    expert_params_billion=0,
)
OFFER_X = dict(
    id="test-cloud-8x-gpu-x",
    provider="Test Cloud",
    instance="tx.8",
    region="test-1",
    gpu="TEST-GPU-X",
    gpus_per_instance=8,
    on_demand_per_hour_usd=24.0,
    commit_1y_per_hour_usd=18.0,
    source=MADE_UP,
    as_of="2026-12-01",
    price_date="2026-12-01",  # dated and primary: the blank-choice rule may use it
    read_on="2026-12-01",
    grade="provider",
)
OFFER_H100 = dict(
    id="test-cloud-8x-h100",
    provider="Test Cloud",
    instance="th.8",
    region="test-1",
    gpu="H100-SXM",
    gpus_per_instance=8,
    on_demand_per_hour_usd=8.0,
    source=MADE_UP,
    as_of="2026-12-01",
    price_date="2026-12-01",
    read_on="2026-12-01",
    grade="provider",
)
SERVER = dict(
    id="test-server-8x-gpu-x",
    name="Test server 8x GPU X",
    vendor="Test",
    gpu="TEST-GPU-X",
    gpus_per_server=8,
    price_usd=250000,
    typical_kw=8.0,
    max_kw=10.0,
    support_per_year_usd=30000,
    standard="yes",
    price_source=MADE_UP,
    power_source=MADE_UP,
    support_source=MADE_UP,
    as_of="2026-12-01",
    price_date="2026-12-01",
    read_on="2026-12-01",
    grade="vendor",
)


def type_rows(wb, table: str, rows: list[dict]) -> list[int]:
    """Type ``rows`` into the first rows of a catalog's user block; returns the sheet rows used."""
    (dest,) = wb.defined_names[USER_ROW_NAMES[table]].destinations
    ws = wb[dest[0]]
    c0, r0, _, _ = range_boundaries(dest[1].replace("$", ""))
    columns = TABLES[table][1]
    used = []
    for i, row in enumerate(rows):
        for j, c in enumerate(columns):
            if c in row:
                ws.cell(r0 + i, c0 + j).value = row[c]
        used.append(r0 + i)
    return used


#: Rows with one fault each (a change of a good row), for the test that the sheet's check column and the engine
#: name the same cell.
_OFFER = dict(OFFER_H100, id="bad-offer")
_SERVER = dict(SERVER, id="bad-server", gpu="H100-SXM", standard="no")
FAULTS: dict[str, list[dict]] = {
    "gpus": [
        {"memory_gb": None},
        {"memory_gb": "96"},
        {"memory_gb": -1},
        {"id": "H100-sxm"},
        {"id": None},
        {"as_of": "1 Dec 2026"},
        {"as_of": "2026-02-30"},
        {"as_of": "2026-13-01"},
        {"interconnect": "NVLink"},
        {"serving_efficiency": 1.5},
        {"spec_source": None},
        {"fp4_tflops": -3},
        {"fp8_hardware": None},
    ],
    "models": [
        {"layers": 47.5},
        {"active_params_billion": 40},
        {"experts": None},
        {"experts": 8},
        {"license": None},
        {"expert_params_billion": 30},
    ],
    "offers": [
        {"gpu": "NOPE"},
        {"on_demand_per_hour_usd": None},
        {"gpus_per_instance": 0},
        {"gpus_per_instance": 8.5},
        {"source": None},
    ],
    "servers": [
        {"standard": "maybe"},
        {"price_source": None},
        {"typical_kw": 12.0},
        {"gpu": "NOPE"},
        {"gpus_per_server": None},
    ],
}
_GOOD = {"gpus": GPU, "models": MODEL, "offers": _OFFER, "servers": _SERVER}


def fault_rows(table: str) -> list[dict]:
    """The rows of :data:`FAULTS` for one table, each with its own id (unless the fault is the id)."""
    return [{**_GOOD[table], "id": f"bad-{table}-{i}", **change} for i, change in enumerate(FAULTS[table])]


#: name -> (scenario, {table: rows}); written by :func:`write_user_books`.
CASES: dict[str, tuple[Scenario, dict[str, list[dict]]]] = {
    "user_rows": (
        Scenario(model="test-model-30b", cloud_gpu="TEST-GPU-X", onprem_gpu="TEST-GPU-X"),
        {"gpus": [GPU], "models": [MODEL], "offers": [OFFER_X], "servers": [SERVER]},
    ),
    "user_offer": (Scenario(), {"offers": [OFFER_H100]}),
    "bad_user_row": (Scenario(), {"gpus": [{k: v for k, v in GPU.items() if k != "memory_gb"}]}),
    "dup_user_row": (Scenario(), {"gpus": [dict(GPU, id="h100-sxm")]}),
    "fault_rows": (Scenario(), {table: fault_rows(table) for table in FAULTS}),
}


def write_user_books(folder: Path) -> dict[str, Path]:
    """Write every case of :data:`CASES` into ``folder``."""
    out = {}
    for name, (scenario, rows) in CASES.items():
        wb = build_workbook(scenario)
        for table, typed in rows.items():
            type_rows(wb, table, typed)
        out[name] = folder / f"{name}.xlsx"
        wb.save(out[name])
    return out
