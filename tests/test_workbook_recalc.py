"""The template workbook recalculated by LibreOffice agrees with the Python engine.

One soffice run recalculates every workbook of this module (random scenarios, the seed worked examples
and edge cases); the values are read back with openpyxl. Checks: no error value anywhere, the named
answers equal the engine's to 1e-9 relative, and so do the comparison table, the sizing, the curve and
the segment table; a break-even the formulas cannot reach shows a text, never a wrong number.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from costengine import CostModelError, Scenario, breakeven, cheapest, compare, curve, load_catalog, plan_for
from costengine import finetune
from workbook.builder import build_workbook, write_workbook
from workbook.sheet_catalogs import api_model_list
from workbook.sheet_constants import SEGMENT_ROWS

from lo import recalc

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}
ANSWERS = ("api_monthly_cost", "cloud_monthly_cost", "onprem_monthly_cost", "cheapest_option", "breakeven_api_cloud",
           "breakeven_api_onprem", "breakeven_cloud_onprem")
PAIRS = (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem"))
N_RANDOM = 32
#: Sheets that hold catalog data only (no formula: nothing to recalculate); read for one workbook.
DATA_SHEETS = ("Token Pricing", "Hardware", "Models")

# Seed 000 (Spanish article): 1M requests/month of 1000 + 500 tokens; API 25 EUR/MTok on every token;
# on-prem 2,500 EUR/month of maintenance and electricity with capex left out; cloud 6 EUR/GPU-hour,
# 2 s per request, 2,000 EUR/month of overhead.
SEED_000 = dict(
    currency="EUR", requests_per_month=1_000_000, prompt_tokens=1000, output_tokens=500,
    api_input_price_per_mtok=25, api_output_price_per_mtok=25, api_batch_share=0, api_cached_input_share=0,
    seconds_per_request=2, peak_to_average=1, target_utilization=1, min_replicas=1, staff_monthly=0,
    cloud_billing="per_second", cloud_price_per_gpu_hour=6.0, cloud_gpus_per_replica=1, cloud_monthly_overhead=2000,
    onprem_capex_per_server=45_000, onprem_amortization_months=0, onprem_maintenance_monthly=2500,
    onprem_price_per_kwh=0, onprem_gpus_per_server=2, onprem_power_kw=1.0,
)


def random_scenario(rng: np.random.Generator) -> Scenario:
    """A scenario over the whole input space (catalog ids, derived and typed values, both billings)."""
    cat = load_catalog()
    d = dict(requests_per_month=float(10 ** rng.uniform(3, 9)), prompt_tokens=float(rng.integers(50, 8000)),
             output_tokens=float(rng.integers(10, 2000)), peak_to_average=float(rng.uniform(1, 4)),
             model=str(rng.choice(list(cat.models))), precision=str(rng.choice(["bf16", "fp8", "int4", "fp16", "int8",
                                                                                 "fp32"])),
             cloud_gpu=str(rng.choice(list(cat.gpus))), onprem_gpu=str(rng.choice(list(cat.gpus))),
             min_replicas=int(rng.integers(1, 4)), target_utilization=float(rng.uniform(0.3, 1)),
             staff_monthly=float(rng.uniform(0, 20000)), cloud_monthly_overhead=float(rng.uniform(0, 3000)),
             onprem_maintenance_monthly=float(rng.uniform(0, 2000)),
             cloud_billing=str(rng.choice(["reserved", "per_second"])),
             api_model=str(rng.choice([a.ref for a in api_model_list()])),
             usd_to_currency=float(rng.choice([1.0, rng.uniform(0.5, 1.5)])),
             api_cached_input_share=float(rng.uniform(0, 0.9)), api_batch_share=float(rng.uniform(0, 1)),
             onprem_interest_rate=float(rng.choice([0.0, rng.uniform(0, 0.2)])),
             onprem_amortization_months=int(rng.choice([0, 24, 36, 60])),
             api_monthly_fixed=float(rng.choice([0.0, rng.uniform(0, 2000)])),
             hours_per_month=float(rng.uniform(600, 744)), memory_overhead=float(rng.uniform(1, 1.6)))
    optional = {"seconds_per_request": lambda: float(rng.uniform(0.01, 3)),
                "cloud_price_per_gpu_hour": lambda: float(rng.uniform(0.5, 6)),
                "onprem_capex_per_server": lambda: float(rng.uniform(5000, 400000)),
                "onprem_power_kw": lambda: float(rng.uniform(0.5, 12)),
                "api_input_price_per_mtok": lambda: float(rng.uniform(0.05, 20)),
                "model_params_billion": lambda: float(rng.uniform(1, 200)),
                "cloud_gpus_per_replica": lambda: int(rng.integers(1, 9)),
                "onprem_gpus_per_server": lambda: int(rng.integers(1, 9))}
    for key, draw in optional.items():
        if rng.random() < 0.25:
            d[key] = draw()
    return Scenario(**d)


def long_walk_scenario() -> Scenario:
    """Reserved cloud against on-premises on other GPUs with almost equal cost per request at full load and
    a large fixed difference: the crossing lies hundreds of replica steps past the bound-based jump."""
    base = Scenario(model="llama-3.1-8b", cloud_gpu="H100-SXM", onprem_gpu="A100-80GB", cloud_billing="reserved",
                    cloud_gpus_per_replica=1, onprem_gpus_per_server=1, cloud_price_per_gpu_hour=2.0,
                    onprem_capex_per_server=10_000, onprem_power_kw=1.0, onprem_price_per_kwh=0.1,
                    onprem_maintenance_monthly=0, cloud_monthly_overhead=5000, requests_per_month=1e6)
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


def _load(path: Path, scenario: Scenario, data_sheets: bool) -> Book:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    values = {}
    for ws in wb.worksheets:
        if ws.title in DATA_SHEETS and not data_sheets:
            continue
        values[ws.title] = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    names = {}
    for name, dn in wb.defined_names.items():
        (sheet, ref), = dn.destinations
        if ":" not in ref:
            cell = openpyxl.utils.cell.coordinate_from_string(ref.replace("$", ""))
            names[name] = (sheet, cell[1], openpyxl.utils.cell.column_index_from_string(cell[0]))
    wb.close()
    return Book(scenario, values, names)


def _cases() -> dict[str, Scenario]:
    cases = {"default": Scenario(), "seed_000": Scenario(**SEED_000),
             "seed_004": Scenario(seconds_per_request=10, cloud_billing="reserved", cloud_price_per_gpu_hour=3.70,
                                  cloud_gpus_per_replica=1, min_replicas=2, cloud_monthly_overhead=0, staff_monthly=0,
                                  requests_per_month=1000, hours_per_month=730),
             "table": Scenario(cloud_gpu="H100-SXM", onprem_gpu="L40S", model="llama-3.1-8b", requests_per_month=3e8,
                               cloud_billing="reserved"),
             "long_walk": long_walk_scenario(),
             # equal from the lowest volumes: same fixed cost, 1.0 per request each (exact in binary)
             "equal": Scenario(api_input_price_per_mtok=1000, api_output_price_per_mtok=1,
                               api_cached_input_price_per_mtok=1,
                               prompt_tokens=1000, output_tokens=0, api_monthly_fixed=4500, seconds_per_request=1,
                               cloud_billing="per_second", cloud_gpus_per_replica=1, cloud_price_per_gpu_hour=3600),
             "formula_text": Scenario(api_model="=1+1", api_input_price_per_mtok=2, api_output_price_per_mtok=8,
                                      api_cached_input_price_per_mtok=0.5, currency="+EUR")}
    tiered = [a for a in api_model_list() if a.tiers]
    if tiered:
        a = tiered[0]
        start = a.tiers[0][0]
        for label, prompt in (("tier_below", start - 1), ("tier_above", start + 1000)):
            cases[label] = Scenario(api_model=a.ref, prompt_tokens=prompt, seconds_per_request=5)
    rng = np.random.default_rng(20261125)
    while len(cases) < N_RANDOM + 9:
        try:
            s = random_scenario(rng)
            plan_for(s)
        except CostModelError:  # e.g. the model does not fit on the GPUs drawn
            continue
        cases[f"random_{len(cases):02d}"] = s
    return cases


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Book]:
    src = tmp_path_factory.mktemp("workbooks")
    cases = _cases()
    paths = [write_workbook(src / f"{name}.xlsx", s) for name, s in cases.items()]
    # a filled-in workbook with bad inputs: typed over the template, as a user would
    wb = build_workbook()
    ws = wb["Inputs"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["requests_per_month"], 2).value = -5
    ws.cell(rows["cloud_gpu"], 2).value = "no-such-gpu"
    wb.save(src / "bad_inputs.xlsx")
    paths.append(src / "bad_inputs.xlsx")
    cases["bad_inputs"] = Scenario()
    out = recalc(paths, tmp_path_factory.mktemp("recalculated"))
    return {name: _load(p, cases[name], name == "default") for name, p in zip(cases, out)}


def _close(got, want) -> bool:
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, want, rel_tol=1e-9,
                                                                                         abs_tol=1e-9)


def _engine_answers(s: Scenario) -> dict:
    table = compare(s)
    out = {f"{o}_monthly_cost": float(table.loc[o, "monthly_cost"]) for o in ("api", "cloud", "onprem")}
    out["cheapest_option"] = cheapest(s)
    for a, b in PAIRS:
        r = breakeven(s, a, b)
        out[f"breakeven_{a}_{b}"] = "none" if r is None else r
    return out


def test_no_error_value_anywhere(books):
    for name, book in books.items():
        bad = [(sheet, rc, v) for sheet, cells in book.values.items() for rc, v in cells.items()
               if isinstance(v, str) and (v in ERRORS or v.startswith("Err:"))]
        assert not bad, (name, bad[:5])
    assert set(DATA_SHEETS) <= set(books["default"].values)


def test_named_answers_equal_the_engine(books):
    checked = 0
    for name, book in books.items():
        if name in ("bad_inputs", "long_walk"):
            continue
        for key, want in _engine_answers(book.scenario).items():
            assert _close(book.name(key), want), (name, key, book.name(key), want)
            checked += 1
    assert checked >= 7 * (N_RANDOM + 8)


def test_seed_000_by_hand(books):
    b = books["seed_000"]
    # API 0.0375 EUR/request (25 EUR/MTok x 1500 tokens); cloud 2 s x 6 EUR/h / 3600 = 0.00333 EUR/request
    # + 2,000 EUR/month; on-prem 2,500 EUR/month with capex left out
    assert b.name("api_monthly_cost") == pytest.approx(37_500, rel=1e-12)
    assert b.name("cloud_monthly_cost") == pytest.approx(2000 + 1e6 * 2 * 6 / 3600, rel=1e-12)
    assert b.name("onprem_monthly_cost") == pytest.approx(2_500, rel=1e-12)
    assert b.name("cheapest_option") == "onprem"
    assert b.name("breakeven_api_cloud") == pytest.approx(2000 / (0.0375 - 2 / 60 * 0.10), rel=1e-12)
    assert b.name("breakeven_api_onprem") == pytest.approx(2500 / 0.0375, rel=1e-12)
    assert b.name("breakeven_cloud_onprem") == pytest.approx(500 / (2 / 60 * 0.10), rel=1e-12)


def test_seed_004_reserved_instance(books):
    # 3.70 $/h x 730 h = 2,701 $/month per instance; two for redundancy (seed 004: ~5,400 $/month)
    assert books["seed_004"].name("cloud_monthly_cost") == pytest.approx(2 * 3.70 * 730, rel=1e-12)


def test_fine_tuning_sheet_reproduces_seed_004(books):
    b = books["default"]
    # 140 GB of bf16 weights + 0.14 GB of LoRA weights x 5; 2.80 $/h x 24 h; 8 $/MTok at 2 tokens per word
    assert b.name("ft_memory_gb") == pytest.approx(140 + 0.14 * 5, rel=1e-12)
    assert b.name("ft_memory_gb") == pytest.approx(float(finetune.finetune_memory_gb(70, 0.001, 2, 5)), rel=1e-12)
    assert b.name("ft_cost_per_day") == pytest.approx(2.80 * 24, rel=1e-12)
    words = b.name("ft_breakeven_words_per_day")
    assert words == pytest.approx(2.80 * 24 / (8 / 1e6) / 2, rel=1e-12)  # 4.2 million (article: ~4.15 million)
    assert words == pytest.approx(float(finetune.finetune_breakeven_words_per_day(67.2, 8.0, 2)), rel=1e-12)
    assert b.name("ft_serving_monthly") == pytest.approx(3.70 * 24 * 2 * 30, rel=1e-12)  # article: ~5,400 $


def test_comparison_table_equals_compare(books):
    columns = {"cost per request": "cost_per_request", "cost per million tokens": "cost_per_mtok",
               "GPUs in use": "gpus", "replicas": "replicas", "utilisation": "utilization"}
    for name, book in books.items():
        if name == "bad_inputs":
            continue
        table = compare(book.scenario)
        for label, col in columns.items():
            r = book.row_of("Comparison", label)
            for j, option in enumerate(("api", "cloud", "onprem")):
                want = table.loc[option, col]
                got = book.at("Comparison", r, 3 + j)
                if isinstance(want, float) and math.isnan(want):
                    assert got == "n/a", (name, label, option, got)
                else:
                    assert _close(got, float(want)), (name, label, option, got, want)


def test_sizing_equals_the_plan(books):
    for name, book in books.items():
        if name == "bad_inputs":
            continue
        p = plan_for(book.scenario)
        for option, name_s, name_g in (("cloud", "cloud_seconds_per_request", "cloud_gpus_per_replica_used"),
                                       ("onprem", "onprem_seconds_per_request", "onprem_gpus_per_server_used")):
            assert _close(book.name(name_s), float(p.options[option].seconds_per_request[0])), (name, option)
            assert _close(book.name(name_g), float(p.options[option].gpus_per_replica[0])), (name, option)


def test_curve_equals_the_engine(books):
    for name in ("default", "seed_000", "table", *[n for n in books if n.startswith("random_")][:6]):
        book = books[name]
        want = curve(book.scenario, 1e3, 1e8, 50)
        first = book.row_of("Curve", 0)
        for k in range(50):
            r = first + k
            assert _close(book.at("Curve", r, 2), float(want.requests_per_month[k])), (name, k)
            for j, option in enumerate(("api", "cloud", "onprem")):
                assert _close(book.at("Curve", r, 3 + j), float(want[option][k])), (name, k, option)


def test_segment_table_agrees_or_says_it_cannot(books):
    finished = 0
    for name, book in books.items():
        if name == "bad_inputs":
            continue
        r = book.row_of("Break-even", "break-even (segment table)")
        got = book.at("Break-even", r, 5)
        if got in (None, "", "n/a"):
            continue  # not both stepping: the table is idle
        want = breakeven(book.scenario, "cloud", "onprem")
        if got == "none":
            assert want is None, name
        elif isinstance(got, (int, float)):
            assert (want is None and got > 1e12) or (want is not None and _close(got, want)), (name, got, want)
        finished += 1
    assert finished >= 3


def test_a_crossing_beyond_the_table_shows_text_not_a_number(books):
    b = books["long_walk"]
    method = b.at("Break-even", b.row_of("Break-even", "method"), 5)
    assert method == "segment table"
    want = breakeven(b.scenario, "cloud", "onprem")
    assert want is not None and want < 1e12  # the engine finds it: the formulas must not invent another
    # the table starts at the bound-based jump (fixed difference over the slope difference of g, from the
    # coefficients alone); the crossing is more replica steps away than the table has rows
    p = plan_for(b.scenario)
    c, o = p.options["cloud"], p.options["onprem"]
    slope = c.step[0] / (c.capacity[0] / p.peak[0]) - o.step[0] / (o.capacity[0] / p.peak[0])
    jump = ((c.fixed[0] - o.fixed[0]) - o.step[0]) / -slope
    assert steps_between(b.scenario, jump, want) > SEGMENT_ROWS
    got = b.name("breakeven_cloud_onprem")
    assert isinstance(got, str) and got.startswith("not computable in formulas"), got
    assert _close(b.name("breakeven_api_cloud"), _engine_answers(b.scenario)["breakeven_api_cloud"])


def test_the_segment_table_is_used_and_exact(books):
    b = books["table"]
    assert b.at("Break-even", b.row_of("Break-even", "method"), 5) == "segment table"
    want = breakeven(b.scenario, "cloud", "onprem")
    assert want is not None and _close(b.name("breakeven_cloud_onprem"), want)


def test_equal_costs_break_even_at_zero(books):
    b = books["equal"]
    assert breakeven(b.scenario, "api", "cloud") == 0.0
    assert b.name("breakeven_api_cloud") == 0


def test_tiered_prices_follow_the_prompt_size(books):
    tiered = [a for a in api_model_list() if a.tiers]
    if not tiered:
        pytest.skip("the token-price catalog has no tiered model today")
    a = tiered[0]
    assert a.tiers[0][1].input != a.base.input  # the tier changes the price
    below, above = books["tier_below"], books["tier_above"]
    assert _close(below.name("api_input_price_per_mtok_used"), a.base.input)
    assert _close(above.name("api_input_price_per_mtok_used"), a.tiers[0][1].input)
    assert _close(above.name("api_output_price_per_mtok_used"), a.tiers[0][1].output)


def test_text_that_looks_like_a_formula_stays_text(books):
    b = books["formula_text"]
    assert b.name("api_model") == "=1+1"
    assert b.name("currency") == "+EUR"
    assert _close(b.name("api_monthly_cost"), _engine_answers(b.scenario)["api_monthly_cost"])


def test_bad_inputs_are_named_and_no_answer_is_shown(books):
    b = books["bad_inputs"]
    assert b.name("input_problems") == 2
    checks = {b.at("Inputs", r, 1): b.at("Inputs", r, 7) for (r, c) in b.values["Inputs"] if c == 1 and r > 1}
    assert checks["requests_per_month"] == "must be >= 0"
    assert "unknown GPU" in checks["cloud_gpu"]
    assert sum(1 for v in checks.values() if v) == 2
    for key in ANSWERS:
        assert b.name(key) == "check Inputs", key
