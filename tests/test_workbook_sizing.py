"""The Sizing sheet recalculated by LibreOffice computes the engine's serving layout (costengine.serving via
costengine.plan): GPUs per replica, seconds per request, TP x PP, batch, TTFT and TPOT of each self-hosted
option, to 1e-9 relative, for dense and MoE models on several GPUs, with and without latency targets, typed
GPU counts, a typed price, multi-node layouts, fp8 without FP8 tensor cores and native fp4; an error the engine
raises shows its message in ``sizing_checks``; no cell of the sheet holds an error value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from openpyxl.utils.cell import get_column_letter

from costengine import CostModelError, Scenario, load_catalog, plan_for, sweep
from costengine.engine import scenario_columns
from costengine.lookup import lookup
from costengine.selfhosted import fewest_gpus, row_replica
from workbook.builder import write_workbook

from recalc_store import recalculate

# LibreOffice's values come from tests/data/recalc_store where stored (recalc_store.py skips without soffice otherwise)
pytestmark = pytest.mark.libreoffice

ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:502", "Err:504", "Err:522"}
FAST = dict(requests_per_month=1e6)

#: Scenarios the engine plans (both options).
CASES: dict[str, dict] = {
    "default": {},
    "dense_8b_h100_l40s": dict(model="llama-3.1-8b", cloud_gpu="H100-SXM", onprem_gpu="L40S"),
    "moe_mixtral_no_targets": dict(
        model="mixtral-8x7b",
        cloud_gpu="H200",
        onprem_gpu="A100-80GB",
        onprem_server="dgx-a100-640gb",  # no A100 server passes the blank-choice rule: a typed id
        max_tpot_ms="none",
        max_ttft_s="none",
    ),
    "moe_deepseek_fp8": dict(model="deepseek-v3", cloud_gpu="H200", onprem_gpu="B200", max_tpot_ms=80, max_ttft_s=2),
    "gpt_oss_120b_fp4": dict(model="gpt-oss-120b", cloud_gpu="B200", onprem_gpu="H100-SXM"),
    "gpt_oss_20b_mi300x": dict(
        model="gpt-oss-20b", cloud_gpu="L40S", onprem_gpu="MI300X", prompt_tokens=3000, output_tokens=300
    ),
    "405b_l40s_multinode": dict(
        model="llama-3.1-405b", cloud_gpu="H100-SXM", onprem_gpu="L40S", max_tpot_ms="none", max_ttft_s="none"
    ),
    "405b_mi300x_fp8": dict(
        model="llama-3.1-405b", precision="fp8", cloud_gpu="MI300X", onprem_gpu="H200", max_tpot_ms=100, max_ttft_s=3
    ),
    "fp8_on_a100": dict(
        model="llama-3.1-70b",
        precision="fp8",
        cloud_gpu="A100-80GB",
        onprem_gpu="A100-80GB",
        onprem_server="dgx-a100-640gb",
        max_tpot_ms=120,
        max_ttft_s=2,
    ),
    "typed_counts": dict(
        model="qwen2.5-72b", cloud_gpus_per_replica=4, onprem_gpus_per_replica=3, max_tpot_ms=200, max_ttft_s=5
    ),
    "typed_price_node8": dict(
        model="qwen2.5-32b", cloud_price_per_gpu_hour=2.5, cloud_gpu="A100-80GB", onprem_gpu="H200", precision="bf16"
    ),
    "per_second": dict(model="mistral-small-24b", cloud_billing="per_second", cloud_gpu="H100-SXM", max_ttft_s=1),
    "seconds_typed": dict(
        model="llama-3.1-70b",
        seconds_per_request=0.8,
        cloud_gpu="L40S",
        onprem_gpu="A100-40GB",
        onprem_server="dgx-a100-320gb",  # no A100 server passes the blank-choice rule: a typed id
    ),
    "seed_server": dict(
        model="llama-2-70b",
        seconds_per_request=2.0,
        onprem_gpus_per_server=4,
        onprem_capex_per_server=120000,
        onprem_power_kw=3.0,
        onprem_maintenance_monthly=500,
    ),
    "typed_params_long_prompt": dict(
        model="llama-3.1-8b",
        model_params_billion=9.5,
        prompt_tokens=9000,
        output_tokens=800,
        cloud_gpu="L4",
        onprem_gpu="H100-PCIe",
        max_tpot_ms=90,
        max_ttft_s=4,
    ),
}
#: Scenarios with an option valid inputs cannot serve: the sheet shows the engine's reason (option column; the
#: context window: both).
FAILING: dict[str, tuple[dict, str]] = {
    "unreachable_cloud": (dict(model="llama-3.1-8b", cloud_gpu="L4", max_tpot_ms=8), "C"),
    "unreachable_onprem": (dict(model="llama-3.1-8b", cloud_gpu="B200", onprem_gpu="L4", max_tpot_ms=15), "D"),
    "context": (dict(model="llama-2-7b", prompt_tokens=5000), "C"),
    "does_not_fit": (dict(model="llama-3.1-70b", cloud_gpu="L4", cloud_gpus_per_replica=2), "C"),
}


def _scenario(d: dict) -> Scenario:
    return Scenario(**{**FAST, **d})


def _n_min(s: Scenario) -> float:
    """The engine's GPU minimum for the offer choice (resolve_cloud: typed, else the fewest GPUs of a single-node
    layout without node limit, else 8)."""
    if s.cloud_gpus_per_replica is not None:
        return float(s.cloud_gpus_per_replica)
    cols, cat = scenario_columns(s), load_catalog()
    model = row_replica(cols, cat, None)
    hw = lookup(np.asarray(cols["cloud_gpu"], dtype=object), np.ones(1, dtype=bool), cat.gpu, None)
    t = float(fewest_gpus(cols, model, hw, np.full(1, 1e9))[0])
    return 8.0 if math.isnan(t) else t


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    src = tmp_path_factory.mktemp("sizing")
    names = {**{k: _scenario(v) for k, v in CASES.items()}, **{k: _scenario(v) for k, (v, _) in FAILING.items()}}
    paths = [write_workbook(src / f"{k}.xlsx", s) for k, s in names.items()]
    books = {}
    for (k, s), r in zip(names.items(), recalculate(paths, sheets=("Sizing", "Comparison"))):
        values = {
            name: r.cell(name)
            for name, (sheet, ref) in r.names.items()
            if ":" not in ref and sheet in ("Sizing", "Comparison")
        }
        checks = [v for row in r.range("sizing_checks") for v in row]
        cells = {f"{get_column_letter(c)}{row}": v for (row, c), v in r.values["Sizing"].items()}
        (not_feasible,) = r.range("sizing_not_feasible")
        books[k] = (s, values, [c for c in checks if c], cells, dict(zip(("cloud", "onprem"), not_feasible)))
    return books


def _close(got, want) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return got == "n/a"
    return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, want, rel_tol=1e-9)


@pytest.mark.parametrize("case", list(CASES))
def test_sizing_names_equal_the_engine(books, case):
    s, values, checks, _, _ = books[case]
    p = plan_for(s)
    assert checks == []
    for opt in ("cloud", "onprem"):
        o = p.options[opt]
        want = {
            f"{opt}_gpus_per_replica_used": o.gpus_per_replica[0],
            f"{opt}_seconds_per_request": o.seconds_per_request[0],
            f"{opt}_layout_tp": o.tp[0],
            f"{opt}_layout_pp": o.pp[0],
            f"{opt}_batch": o.batch[0],
            f"{opt}_ttft_s": o.ttft_s[0],
            f"{opt}_tpot_ms": o.tpot_s[0] * 1000.0,
        }
        for name, w in want.items():
            assert _close(values[name], float(w)), (case, name, values[name], float(w))
    assert _close(values["cloud_n_min"], _n_min(s)), (case, values["cloud_n_min"], _n_min(s))


@pytest.mark.parametrize("case", list(FAILING))
def test_engine_not_feasible_reasons_show(books, case):
    s, values, checks, _, not_feasible = books[case]
    p = plan_for(s)
    col = FAILING[case][1]
    opt = "cloud" if col == "C" else "onprem"
    reason = str(p.options[opt].problem[0])
    assert reason and checks == [], (reason, checks)  # not an input problem
    assert not_feasible[opt] == reason, (not_feasible, reason)
    for other in ("cloud", "onprem"):  # the other option: the same reason where the engine has one
        assert (not_feasible[other] or "") == str(p.options[other].problem[0]), (other, not_feasible)
    with pytest.raises(CostModelError) as exc:  # the errors="raise" sweep still names the key
        sweep(pd.DataFrame([s.model_dump(exclude_none=True)]), errors="raise")
    assert reason in str(exc.value)
    for name in (f"{opt}_seconds_per_request", f"{opt}_batch", f"{opt}_tpot_ms", f"{opt}_gpus_per_replica_used"):
        assert values[name] == "n/a", (name, values[name])


@pytest.mark.parametrize("case", list(CASES) + list(FAILING))
def test_no_error_values_on_the_sizing_sheet(books, case):
    cells = books[case][3]  # (scenario, names, checks, Sizing cells, not feasible)
    bad = {k: v for k, v in cells.items() if isinstance(v, str) and (v in ERRORS or v.startswith("#"))}
    assert not bad, bad
