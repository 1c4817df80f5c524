"""The template workbooks that the LibreOffice tests recalculate, and the one soffice run that does it.

Every test module that needs recalculated workbooks (test_workbook_recalc.py, test_workbook_decision.py)
takes them from the session fixture ``recalculated_books`` (conftest.py), which calls
:func:`recalculate_all` once: one ``soffice`` start for all of them keeps CI time low.
"""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
from conftest import SERVERLESS_PILOT
from test_decision_projection import HAND

from costengine import OPTIONS, SCENARIO_KEYS, CostModelError, Scenario, load_catalog, plan_for
from workbook.builder import build_workbook, write_workbook
from workbook.sheets.projection import FIRST_ROW as PROJECTION_FIRST_ROW
from workbook.sheets.token_pricing import api_model_list

from recalc_store import Recalculated, recalculate
from typed_over import type_over
from user_rows_cases import CASES as USER_CASES
from user_rows_cases import write_user_books

N_RANDOM = 32
#: Issue 20's long-prompt RAG scenario, its targets left to the workload.
WORKLOAD_RAG = dict(
    requests_per_month=3e6,
    prompt_tokens=8000,
    output_tokens=400,
    api_model="claude-sonnet-4-5",
    model="llama-3.3-70b",
    workload="rag",
)
N_RANDOM_GROWTH = 5
#: Sheets that hold catalog data only (no formula: nothing to recalculate); read for one workbook.
DATA_SHEETS = ("Token Pricing", "Hardware", "Models")

# Seed 000's worked example (the Spanish article), as in tests/test_worked_examples.py
from test_worked_examples import SEED_000  # noqa: E402


def random_scenario(rng: np.random.Generator) -> Scenario:
    """A scenario over the whole input space (catalog ids, derived and typed values, both billings)."""
    cat = load_catalog()
    d = dict(
        requests_per_month=float(10 ** rng.uniform(3, 9)),
        prompt_tokens=float(rng.integers(50, 8000)),
        output_tokens=float(rng.integers(10, 2000)),
        peak_to_average=float(rng.uniform(1, 4)),
        model=str(rng.choice(list(cat.models))),
        cloud_gpu=str(rng.choice(list(cat.gpus))),
        onprem_gpu=str(rng.choice(list(cat.gpus))),
        min_replicas=int(rng.integers(0, 4)),
        target_utilization=float(rng.uniform(0.3, 1)),
        cloud_monthly_overhead=float(rng.uniform(0, 3000)),
        cloud_billing=str(rng.choice(["reserved", "always_on", "per_second"])),
        cloud_pricing=str(rng.choice(["on_demand", "on_demand", "commit_1y", "commit_3y", "spot"])),
        onprem_colo_per_kw_month=float(rng.choice([0.0, rng.uniform(100, 250)])),
        cloud_staff_fte=float(rng.uniform(0, 2)),
        onprem_staff_fte=float(rng.uniform(0, 3)),
        api_model=str(rng.choice([a.ref for a in api_model_list()])),
        usd_to_currency=float(rng.choice([1.0, rng.uniform(0.5, 1.5)])),
        api_cached_input_share=float(rng.uniform(0, 0.9)),
        api_batch_share=float(rng.uniform(0, 1)),
        onprem_interest_rate=float(rng.choice([0.0, rng.uniform(0, 0.2)])),
        onprem_amortization_months=int(rng.choice([0, 24, 36, 60])),
        api_monthly_fixed=float(rng.choice([0.0, rng.uniform(0, 2000)])),
        hours_per_month=float(rng.uniform(600, 744)),
        memory_overhead=float(rng.uniform(1, 1.6)),
    )
    precision = rng.choice(["bf16", "fp8", "int4", "fp16", "int8", "fp32", "fp4", "native"])
    if precision != "native":  # native: blank, the model catalog's own format (e.g. gpt-oss's MXFP4 experts)
        d["precision"] = str(precision)
    targets = rng.choice(["default", "none", "loose"])
    if targets == "none":
        d.update(max_tpot_ms="none", max_ttft_s="none")
    elif targets == "loose":
        d.update(max_tpot_ms=float(rng.uniform(50, 200)), max_ttft_s=float(rng.uniform(1, 10)))
    optional = {
        "seconds_per_request": lambda: float(rng.uniform(0.01, 3)),
        "staff_monthly": lambda: float(rng.uniform(0, 20000)),
        "onprem_maintenance_monthly": lambda: float(rng.uniform(0, 2000)),
        "onprem_gpus_per_replica": lambda: int(rng.choice([1, 2, 4, 8])),
        "cloud_price_per_gpu_hour": lambda: float(rng.uniform(0.5, 6)),
        "onprem_capex_per_server": lambda: float(rng.uniform(5000, 400000)),
        "onprem_power_kw": lambda: float(rng.uniform(0.5, 12)),
        "api_input_price_per_mtok": lambda: float(rng.uniform(0.05, 20)),
        "model_params_billion": lambda: float(rng.uniform(1, 200)),
        "cloud_gpus_per_replica": lambda: int(rng.integers(1, 9)),
        "onprem_gpus_per_server": lambda: int(rng.integers(1, 9)),
    }
    for key, draw in optional.items():
        if rng.random() < 0.25:
            d[key] = draw()
    return Scenario(**d)


def long_walk_scenario() -> Scenario:
    """Reserved cloud against on-premises on other GPUs with almost equal cost per request at full load and
    a large fixed difference: the crossing lies hundreds of replica steps past the bound-based jump."""
    base = Scenario(
        model="llama-3.1-8b",
        cloud_gpu="H100-SXM",
        onprem_gpu="A100-80GB",
        cloud_billing="reserved",
        cloud_gpus_per_replica=1,
        onprem_gpus_per_server=1,
        cloud_price_per_gpu_hour=2.0,
        onprem_capex_per_server=10_000,
        onprem_power_kw=1.0,
        onprem_price_per_kwh=0.1,
        onprem_maintenance_monthly=0,
        cloud_monthly_overhead=5000,
        requests_per_month=1e6,
        staff_monthly=4000,
        max_tpot_ms="none",
        max_ttft_s="none",
    )
    p = plan_for(base)
    c, o = p.options["cloud"], p.options["onprem"]
    cc, co = c.capacity[0] / p.peak[0], o.capacity[0] / p.peak[0]
    target = c.step[0] / cc * co * (1 + 1e-4)  # on-premises a little dearer per request at full load
    assert target > o.step[0]
    return base.replace(onprem_maintenance_monthly=target - o.step[0])


def steps_between(s: Scenario, lo: float, hi: float) -> int:
    """Replica steps of cloud and on-premises between two volumes (independent of the walk)."""
    p = plan_for(s)
    n = 0
    for option in ("cloud", "onprem"):
        c = p.options[option].capacity[0] / p.peak[0]
        n += math.floor(hi / c) - math.floor(lo / c)
    return n


@dataclass
class Book:
    """A recalculated workbook's values: ``values[sheet][(row, col)]`` and its names."""

    scenario: Scenario
    values: dict
    names: dict

    def name(self, name: str):
        sheet, row, col = self.names[name]
        return self.values[sheet].get((row, col))

    def row_of(self, sheet: str, label: str, col: int = 1) -> int:
        rows = [r for (r, c), v in self.values[sheet].items() if c == col and v == label]
        assert rows, f"{label!r} not found in column {col} of {sheet}"
        return rows[0]

    def at(self, sheet: str, row: int, col: int):
        return self.values[sheet].get((row, col))


def as_book(rec: Recalculated, scenario: Scenario, data_sheets: bool) -> Book:
    """A :class:`Book` of recalculated values (the catalog-data sheets only when asked for)."""
    values = {}
    for title, cells in rec.values.items():
        if title in DATA_SHEETS and not data_sheets:
            continue
        # the Projection's rows past the horizon (up to 600) are read only two deep: they are empty
        last = PROJECTION_FIRST_ROW + scenario.horizon_months + 1 if title == "Projection" else None
        values[title] = cells if last is None else {rc: v for rc, v in cells.items() if rc[0] <= last}
    names = {}
    for name, (sheet, ref) in rec.names.items():
        if ":" not in ref:
            col, row = openpyxl.utils.cell.coordinate_from_string(ref)
            names[name] = (sheet, row, openpyxl.utils.cell.column_index_from_string(col))
    return Book(scenario, values, names)


def _cases() -> dict[str, Scenario]:
    cases = {
        "default": Scenario(),
        "seed_000": Scenario(**SEED_000),
        "seed_004": Scenario(
            seconds_per_request=10,
            cloud_billing="reserved",
            cloud_price_per_gpu_hour=3.70,
            cloud_gpus_per_replica=1,
            min_replicas=2,
            cloud_monthly_overhead=0,
            staff_monthly=0,
            requests_per_month=1000,
            hours_per_month=730,
        ),
        "table": Scenario(
            cloud_gpu="H100-SXM",
            onprem_gpu="L40S",
            model="llama-3.1-8b",
            requests_per_month=3e8,
            cloud_billing="reserved",
            staff_monthly=4000,
        ),
        "long_walk": long_walk_scenario(),
        # equal from the lowest volumes: same fixed cost, 1.0 per request each (exact in binary)
        "equal": Scenario(
            api_input_price_per_mtok=1000,
            api_output_price_per_mtok=1,
            api_cached_input_price_per_mtok=1,
            prompt_tokens=1000,
            output_tokens=0,
            api_monthly_fixed=4500,
            seconds_per_request=1,
            cloud_billing="per_second",
            cloud_gpus_per_replica=1,
            cloud_price_per_gpu_hour=3600,
            min_replicas=0,
            staff_monthly=4000,
        ),
        "formula_text": Scenario(
            api_model="=1+1",
            api_input_price_per_mtok=2,
            api_output_price_per_mtok=8,
            api_cached_input_price_per_mtok=0.5,
            currency="+EUR",
        ),
        # billing: per-second warm minimum (the bent line and the segment table with a bend), terms, offers
        "per_second_warm": Scenario(
            cloud_billing="per_second", min_replicas=2, model="llama-3.1-8b", requests_per_month=2e7
        ),
        "spot": Scenario(cloud_pricing="spot", model="llama-3.1-8b", onprem_colo_per_kw_month=195),
        "commit": Scenario(
            cloud_pricing="commit_1y", cloud_gpu="A100-80GB", onprem_gpu="L40S", model="qwen2.5-14b", max_tpot_ms=60
        ),
        "typed_offer": Scenario(cloud_offer="lambda-4xh100-sxm", onprem_server="hgx-h100-8gpu-thinkmate"),
        "moe_no_targets": Scenario(
            model="mixtral-8x7b", max_tpot_ms="none", max_ttft_s="none", cloud_gpu="H200", onprem_gpu="MI300X"
        ),
        "multinode": Scenario(
            model="llama-3.1-405b",
            precision="bf16",
            cloud_gpu="L40S",
            onprem_gpu="L40S",
            max_tpot_ms="none",
            max_ttft_s="none",
        ),
        "gpt_oss_native": Scenario(model="gpt-oss-120b", cloud_gpu="B200", onprem_gpu="H100-SXM"),
    }
    tiered = [a for a in api_model_list() if a.tiers]
    if tiered:
        a = tiered[0]
        start = a.tiers[0][0]
        for label, prompt in (("tier_below", start - 1), ("tier_above", start + 1000)):
            cases[label] = Scenario(api_model=a.ref, prompt_tokens=prompt, seconds_per_request=5)
    rng = np.random.default_rng(20261125)
    while len(cases) < N_RANDOM + 16:
        try:
            s = random_scenario(rng)
        except CostModelError:
            continue
        if not _servable(s):  # e.g. the model does not fit on the GPUs drawn
            continue
        cases[f"random_{len(cases):02d}"] = s
    # after the random cases, whose names (random_16...) other tests pick: a price that varies with the time of
    # day (DeepSeek's off-peak discount), the standard one used and noted
    cases["time_of_day"] = Scenario(api_model="deepseek-reasoner", api_cached_input_share=0.3)
    # a long-prompt RAG workload with blank targets: the workload's targets (issue 20, "Why" 4)
    cases["workload_rag"] = Scenario(**WORKLOAD_RAG)
    # hidden reasoning tokens on both sides and cache writes (a catalog write price, then a typed one); then a
    # reasoning model on each side with its key blank: the warning notes
    cases["reasoning_cache_write"] = Scenario(
        api_model="claude-sonnet-4-5",
        api_cached_input_share=0.2,
        api_cache_write_share=0.3,
        api_reasoning_tokens=700,
        model="gpt-oss-20b",
        reasoning_tokens=900,
        requests_per_month=2e7,
    )
    cases["reasoning_typed_write"] = Scenario(
        api_model="gpt-5-mini",
        api_cache_write_share=0.5,
        api_cache_write_price_per_mtok=0.7,
        api_reasoning_tokens=1500,
        model="qwen2.5-14b",
        reasoning_tokens=300,
        cloud_gpu="A100-80GB",
    )
    cases["reasoning_blank"] = Scenario(model="gpt-oss-120b", api_model="o4-mini")
    # the attention columns of the model catalog: MLA's latent KV (DeepSeek-R1) and sliding-window layers with a
    # prompt longer than the window (Llama 4 Scout: 36 of 48 layers hold at most 8192 tokens)
    cases["mla_deepseek_r1"] = Scenario(model="deepseek-r1", cloud_gpu="H200", onprem_gpu="B200")
    cases["sliding_llama4_scout"] = Scenario(model="llama-4-scout", prompt_tokens=12000, output_tokens=1000)
    # no option hides another (docs/model.md#infeasible-options): no cloud layout on an L4 meets the default
    # targets for a 70B model; the API and on-premises answers stand
    cases[CLOUD_NOT_FEASIBLE] = Scenario(cloud_gpu="L4", model="llama-3.3-70b")
    # the API's flex service tier (genai-prices' service_tier variant) with cached input; a blank offer chosen
    # among the EU offers (the cheapest H200 offer of any region is in us-central1)
    cases["service_tier_flex"] = Scenario(api_model="gpt-5-mini", api_service_tier="flex", api_cached_input_share=0.3)
    cases["cloud_region_eu"] = Scenario(cloud_region="eu", cloud_gpu="H200", onprem_gpu="H200")
    # per-second billing as providers bill it (docs/model.md#per-second-billing): issue 20's serverless pilot (an
    # 8B model at about a request a minute, scaled to zero: windows and cold starts, the break-even bisected); a
    # RunPod worker kept warm with typed window and start, a typed profile and more traffic than it serves
    cases["serverless_pilot"] = Scenario(**SERVERLESS_PILOT)
    cases["serverless_warm_typed"] = Scenario(
        cloud_billing="per_second",
        cloud_offer="runpod-serverless-h100",
        model="qwen3-8b",
        min_replicas=1,
        requests_per_month=3e7,
        serverless_window_s=30,
        serverless_cold_start_s=40,
        load_profile=",".join(str(1 + (h % 12)) for h in range(24)),
    )
    return cases


#: The case whose cloud option cannot be served.
CLOUD_NOT_FEASIBLE = "cloud_not_feasible"


def _servable(s: Scenario) -> bool:
    """Every option of ``s`` can be served (the random cases keep to those, as before options could be marked)."""
    try:
        p = plan_for(s)
    except CostModelError:
        return False
    return not any(p.options[o].problem[0] for o in OPTIONS)


def decision_cases() -> dict[str, Scenario]:
    """Scenarios with volume growth for the Projection sheet (the other cases have none)."""
    cases = {
        "hand_growth": Scenario(**HAND).replace(growth_rate_monthly=0.1, horizon_months=24),
        "hand_flat": Scenario(**HAND),
        "shrinking": Scenario(growth_rate_monthly=-0.04, horizon_months=30, min_replicas=1, requests_per_month=3e7),
        "full_horizon": Scenario(growth_rate_monthly=0.01, horizon_months=600),
        "overflow": Scenario(growth_rate_monthly=10, horizon_months=600),
        # docs/hybrid.md's example: the hybrids split the load, growing and shrinking (servers kept)
        "hybrid_growth": Scenario(
            api_model="claude-haiku-4-5",
            load_profile="burstgpt-chatgpt-conversation",
            requests_per_month=3e7,
            min_replicas=1,
            growth_rate_monthly=0.06,
            horizon_months=36,
        ),
        "hybrid_shrinking": Scenario(
            api_model="claude-haiku-4-5",
            load_profile="burstgpt-chatgpt-conversation",
            requests_per_month=6e7,
            min_replicas=1,
            growth_rate_monthly=-0.08,
            horizon_months=30,
        ),
    }
    rng = np.random.default_rng(20261126)
    while len(cases) < 7 + N_RANDOM_GROWTH:
        try:
            s = random_scenario(rng)
        except CostModelError:
            continue
        if not _servable(s):
            continue
        growth = float(rng.uniform(0.005, 0.15) if len(cases) % 3 else rng.uniform(-0.05, 0))  # mostly up
        cases[f"growth_{len(cases):02d}"] = s.replace(
            growth_rate_monthly=growth,
            horizon_months=int(rng.integers(6, 121)),
            discount_rate_annual=float(rng.uniform(0, 0.2)),
        )
    return cases


def all_cases() -> dict[str, Scenario]:
    return {**_cases(), **decision_cases()}


_BOOKS: dict[str, Book] | None = None


def _write(job: tuple[Path, Scenario]) -> Path:
    return write_workbook(*job)


def _write_all(jobs: list[tuple[Path, Scenario]]) -> list[Path]:
    """Write the workbooks, on two processes where fork is available (each takes about half a second)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return [_write(job) for job in jobs]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_write, jobs))


def recalculate_all(tmp_path_factory) -> dict[str, Book]:
    """Write every case, plus a workbook with bad inputs typed over, and recalculate them in one soffice run.

    The result is kept for the session (the first caller pays for it).
    """
    global _BOOKS
    if _BOOKS is not None:
        return _BOOKS
    src = tmp_path_factory.mktemp("workbooks")
    cases = all_cases()
    paths = _write_all([(src / f"{name}.xlsx", s) for name, s in cases.items()])
    # a filled-in workbook with bad inputs: typed over the template, as a user would
    wb = build_workbook()
    ws = wb["Inputs"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["requests_per_month"], 2).value = -5
    ws.cell(rows["cloud_gpu"], 2).value = "no-such-gpu"
    wb.save(src / "bad_inputs.xlsx")
    paths.append(src / "bad_inputs.xlsx")
    cases["bad_inputs"] = Scenario()
    # text typed into number cells (the checks flag them; no formula may show an error value)
    wb = build_workbook()
    ws = wb["Inputs"]
    ws.cell(rows["requests_per_month"], 2).value = "lots"
    ws.cell(rows["horizon_months"], 2).value = "three years"
    ws.cell(rows["growth_rate_monthly"], 2).value = "5%"
    wb.save(src / "bad_text.xlsx")
    paths.append(src / "bad_text.xlsx")
    cases["bad_text"] = Scenario()
    # inputs typed as a spreadsheet stores them (tests/test_workbook_agreement.py compares with evaluate): kept
    # apart from the cases above, which have a scenario to compare with
    template = write_workbook(src / "typed_template.xlsx", Scenario())
    for name, typed in typed_cases().items():
        TYPED_SOURCES[name] = type_over(
            template, src / f"{name}.xlsx", {f"B{rows[key]}": value for key, value in typed.items()}
        )
    # the user's own catalog rows typed below the shipped ones (tests/user_rows_cases.py): kept apart too, since
    # the engine answers of the cases above use the shipped catalogs
    user = write_user_books(src)
    out = recalculate(paths + list(TYPED_SOURCES.values()) + list(user.values()))
    _BOOKS = {name: as_book(r, cases[name], name == "default") for name, r in zip(cases, out)}
    rest = out[len(paths) :]
    TYPED_BOOKS.update({name: as_book(r, Scenario(), False) for name, r in zip(TYPED_SOURCES, rest)})
    USER_BOOKS.update(
        {name: (as_book(r, USER_CASES[name][0], True), user[name]) for name, r in zip(user, rest[len(TYPED_SOURCES) :])}
    )
    return _BOOKS


N_TYPED = 16
#: The typed workbooks' source files (before recalculation), by case name.
TYPED_SOURCES: dict[str, Path] = {}
#: The typed workbooks recalculated, by case name.
TYPED_BOOKS: dict[str, Book] = {}


def typed_books(tmp_path_factory) -> dict[str, Book]:
    """The workbooks of :func:`typed_cases`, recalculated in the same soffice run as the others."""
    recalculate_all(tmp_path_factory)
    return TYPED_BOOKS


def _cased(rng: np.random.Generator, text: str) -> str:
    """``text`` in upper, lower, title or its own case, as a user might type an id."""
    return str(rng.choice([text, text.upper(), text.lower(), text.title()]))


def typed_cases() -> dict[str, dict[str, object]]:
    """Random inputs typed over the default template as a spreadsheet stores them: numbers, numbers typed as
    text (with spaces, exponents), bad texts, out-of-range values, catalog ids in other cases, dated API ids."""
    rng = np.random.default_rng(20261202)
    api_ids = [a.ref for a in api_model_list()]

    def number(good: float, bad: list[object]) -> object:
        form = rng.choice(["number", "text", "spaced", "bad"], p=[0.4, 0.25, 0.2, 0.15])
        if form == "number":
            return good
        if form == "text":
            return repr(float(good)) if rng.random() < 0.5 else f"{good:.6g}"
        if form == "spaced":
            return f"  {good:.4e} "
        return bad[int(rng.integers(len(bad)))]

    draws = {
        "requests_per_month": lambda: number(float(round(10 ** rng.uniform(4, 8))), ["about 1000", -5.0, "1,000"]),
        "prompt_tokens": lambda: number(float(rng.integers(100, 4000)), ["1_000", "5%", -1.0]),
        "output_tokens": lambda: number(float(rng.integers(50, 1000)), ["many", -2.0]),
        "peak_to_average": lambda: number(round(float(rng.uniform(1, 3)), 3), [0.5, "2x"]),
        "target_utilization": lambda: number(round(float(rng.uniform(0.4, 0.9)), 3), [1.5, "70%"]),
        "min_replicas": lambda: number(float(rng.integers(0, 3)), [2.5, "two"]),
        "growth_rate_monthly": lambda: number(round(float(rng.uniform(0, 0.1)), 4), [5.0, "5%"]),
        "onprem_price_per_kwh": lambda: number(round(float(rng.uniform(0.05, 0.3)), 3), [13.0, 13.0, "0,12"]),
        "model": lambda: (
            _cased(rng, str(rng.choice(["llama-3.1-8b", "qwen2.5-32b", "mixtral-8x7b"])))
            if rng.random() < 0.85
            else "llama-9-nonexistent"
        ),
        "cloud_gpu": lambda: (
            _cased(rng, str(rng.choice(["H100-SXM", "H200", "A100-80GB"]))) if rng.random() < 0.85 else "H1000"
        ),
        "onprem_gpu": lambda: _cased(rng, str(rng.choice(["H100-SXM", "H200", "L40S"]))),
        "api_model": lambda: str(
            rng.choice(
                [
                    "claude-sonnet-4-5-20250929",
                    "claude-sonnet-4-5@20250929",
                    "GPT-5-MINI-2025-08-07",
                    _cased(rng, str(rng.choice(api_ids))),
                    "gpt-17-ultra",
                ],
                p=[0.2, 0.15, 0.2, 0.35, 0.1],
            )
        ),
        "cloud_billing": lambda: str(
            rng.choice(
                ["Per-Second", "always_on", "reserved", " ALWAYS ON ", "hourly-ish"], p=[0.3, 0.25, 0.2, 0.15, 0.1]
            )
        ),
    }
    assert set(draws) <= set(SCENARIO_KEYS)
    keys = list(draws)
    out = {}
    for i in range(N_TYPED):
        chosen = rng.choice(keys, size=int(rng.integers(3, 7)), replace=False)
        out[f"typed_{i:02d}"] = {str(k): draws[str(k)]() for k in chosen}
    return out


#: The recalculated user-row workbooks: name -> (Book, the file as typed, before recalculation).
USER_BOOKS: dict[str, tuple[Book, Path]] = {}


def user_row_books(tmp_path_factory) -> dict[str, tuple[Book, Path]]:
    """The user-row workbooks of :data:`USER_BOOKS`, recalculated in the same soffice run as the others."""
    recalculate_all(tmp_path_factory)
    return USER_BOOKS
