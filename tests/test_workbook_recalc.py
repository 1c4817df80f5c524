"""The template workbook recalculated by LibreOffice agrees with the Python engine.

One soffice run recalculates every workbook of the LibreOffice tests (random scenarios, the seed worked
examples and edge cases: tests/recalc_cases.py, session fixture ``recalculated_books``); the values are read
back with openpyxl. Checks: no error value anywhere, the named answers equal the engine's to 1e-9 relative,
and so do the comparison table, the sizing, the curve and the segment table; a break-even the formulas
cannot reach shows a text, never a wrong number. The Projection and Sensitivity sheets: test_workbook_decision.py.
"""

from __future__ import annotations

import math

import pytest

from costengine import (
    Scenario,
    breakeven,
    cheapest,
    compare,
    curve,
    finetune,
    load_catalog,
    plan_for,
    recommend,
    token_price,
)
from costengine.engine import price_age_note
from costengine.plan import COST_PARTS
from costengine.verdict import horizon_verdict
from workbook.cli.report import api_price_note
from workbook.sheets.constants import SEGMENT_ROWS
from workbook.sheets.token_pricing import api_model_list

from recalc_cases import CLOUD_NOT_FEASIBLE, DATA_SHEETS, N_RANDOM, Book, steps_between
from recalc_store import chart_gap

# LibreOffice's values come from tests/data/recalc_store where stored (recalc_store.py skips without soffice otherwise)
pytestmark = pytest.mark.libreoffice

ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}
ANSWERS = (
    "api_monthly_cost",
    "cloud_monthly_cost",
    "onprem_monthly_cost",
    "cheapest_option",
    "breakeven_api_cloud",
    "breakeven_api_onprem",
    "breakeven_cloud_onprem",
)
PAIRS = (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem"))


@pytest.fixture(scope="module")
def books(recalculated_books) -> dict[str, Book]:
    return recalculated_books


def _close(got, want) -> bool:
    if isinstance(want, str):
        return got == want
    return (
        isinstance(got, (int, float))
        and not isinstance(got, bool)
        and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    )


def _engine_answers(s: Scenario) -> dict:
    """The engine's answers as the workbook shows them: an option that cannot be served is its status
    ("not feasible: <reason>"), a break-even with it "not feasible: <option>" (docs/model.md#infeasible-options)."""
    table = compare(s)
    ok = {o for o in ("api", "cloud", "onprem") if table.loc[o, "status"] == "ok"}
    out = {
        f"{o}_monthly_cost": float(table.loc[o, "monthly_cost"]) if o in ok else table.loc[o, "status"]
        for o in ("api", "cloud", "onprem")
    }
    for o in ("api", "cloud", "onprem"):  # the parts of each cost (costengine.plan.cost_split)
        for part in COST_PARTS:
            out[f"{o}_cost_{part}"] = float(table.loc[o, f"{part}_cost"]) if o in ok else "not feasible"
    for o in ("cloud", "onprem"):  # what the serving figures rest on (feasible options)
        if o in ok:
            out[f"{o}_serving_basis"] = table.loc[o, "serving_basis"]
    if ok == {"api", "cloud", "onprem"}:  # the answer over the horizon (the Projection sheet needs all three)
        h = horizon_verdict(s)["option"]
        if h:
            out["horizon_option"] = h
    out["cheapest_option"] = cheapest(s)
    out["recommendation"] = recommend(s)["option"]
    for a, b in PAIRS:
        if {a, b} <= ok:
            r = breakeven(s, a, b)
            out[f"breakeven_{a}_{b}"] = "none" if r is None else r
        else:
            out[f"breakeven_{a}_{b}"] = "not feasible: " + " and ".join(o for o in (a, b) if o not in ok)
    return out


def test_no_error_value_anywhere(books):
    for name, book in books.items():
        bad = [
            (sheet, rc, v)
            for sheet, cells in book.values.items()
            for rc, v in cells.items()
            # the Curve chart's own series cells hold #N/A where the table says n/a: NA() is how a chart skips a
            # point (a text would be drawn as 0 on its log axes), so they are no error value here
            if isinstance(v, str) and (v in ERRORS or v.startswith("Err:")) and not chart_gap(sheet, rc)
        ]
        assert not bad, (name, bad[:5])
    assert set(DATA_SHEETS) <= set(books["default"].values)


def test_named_answers_equal_the_engine(books):
    checked = 0
    for name, book in books.items():
        if name.startswith("bad_") or name == "long_walk":
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
    columns = {
        "cost per request": "cost_per_request",
        "cost per million tokens": "cost_per_mtok",
        "GPUs paid for": "gpus",
        "replicas": "replicas",
        "utilisation": "utilization",
        "units bought": "units",
        "GPUs per replica": "gpus_per_replica",
        "batch per replica": "batch",
        "time to first token": "ttft_s",
        "time per output token": "tpot_ms",
    }
    for name, book in books.items():
        if name.startswith("bad_"):  # inputs typed over: no answer to compare
            continue
        table = compare(book.scenario)
        for label, col in columns.items():
            r = book.row_of("Comparison", label)
            for j, option in enumerate(("api", "cloud", "onprem")):
                want = table.loc[option, col]
                got = book.at("Comparison", r, 3 + j)
                if table.loc[option, "status"] != "ok":  # cannot be served: says so
                    assert got == "not feasible", (name, label, option, got)
                elif isinstance(want, float) and math.isnan(want):
                    assert got == "n/a", (name, label, option, got)
                else:
                    assert _close(got, float(want)), (name, label, option, got, want)
        r = book.row_of("Comparison", "offer or server")
        for j, option in enumerate(("api", "cloud", "onprem")):
            want = table.loc[option, "offer"] if table.loc[option, "status"] == "ok" else "not feasible"
            assert (book.at("Comparison", r, 3 + j) or "") == want, (name, option)


def test_sizing_equals_the_plan(books):
    for name, book in books.items():
        if name.startswith("bad_"):  # inputs typed over: no answer to compare
            continue
        p = plan_for(book.scenario)
        for option, name_s, name_g in (
            ("cloud", "cloud_seconds_per_request", "cloud_gpus_per_replica_used"),
            ("onprem", "onprem_seconds_per_request", "onprem_gpus_per_replica_used"),
        ):
            if p.options[option].problem[0]:  # no layout serves it: the Sizing sheet says n/a
                assert book.name(name_s) == "n/a", (name, option, book.name(name_s))
                continue
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
        if name.startswith("bad_"):  # inputs typed over: no answer to compare
            continue
        r = book.row_of("Break-even", "break-even (segment table)")
        got = book.at("Break-even", r, 5)
        if got in (None, "", "n/a") or name == CLOUD_NOT_FEASIBLE:
            continue  # not both stepping: the table is idle (or the cloud cannot be served)
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
    # the catalog ids are looked up once the numbers they need are readable: the unknown cloud_gpu is named
    # after requests_per_month is fixed; the status names the first problem
    assert b.name("input_problems") == 1
    checks = {b.at("Inputs", r, 1): b.at("Inputs", r, 7) for (r, c) in b.values["Inputs"] if c == 1 and r > 1}
    assert checks["requests_per_month"] == "must be >= 0"
    assert "requests_per_month: must be >= 0" in b.name("input_problems_status")
    for key in ANSWERS:
        assert b.name(key) == "check Inputs", key


def test_text_typed_into_number_cells_shows_checks_not_error_values(books):
    # regression: text in requests_per_month made the Comparison sheet's replicas and utilisation #VALUE!
    b = books["bad_text"]
    assert b.name("input_problems") == 3
    for key in ANSWERS:
        assert b.name(key) == "check Inputs", key
    r = b.row_of("Comparison", "replicas")
    assert [b.at("Comparison", r, c) for c in (3, 4, 5)] == ["check Inputs"] * 3


def test_an_infeasible_cloud_leaves_the_api_and_onprem_answers(books):
    """No option hides another: the cloud cannot be served, the API and on-premises answers equal the engine."""
    b = books[CLOUD_NOT_FEASIBLE]
    s = b.scenario
    table = compare(s)
    assert table.loc["cloud", "status"].startswith("not feasible: no cloud layout on L4 meets the latency targets")
    assert b.name("cloud_monthly_cost") == table.loc["cloud", "status"]
    for o in ("api", "onprem"):
        assert _close(b.name(f"{o}_monthly_cost"), float(table.loc[o, "monthly_cost"])), o
    assert b.name("cheapest_option") == cheapest(s)
    assert b.name("breakeven_api_cloud") == b.name("breakeven_cloud_onprem") == "not feasible: cloud"
    want = breakeven(s, "api", "onprem")
    assert _close(b.name("breakeven_api_onprem"), "none" if want is None else want)
    assert b.name("input_problems") == 0
    status = b.name("input_problems_status")
    assert status == "OK: every input can be used; cloud " + table.loc["cloud", "status"], status
    assert "check Inputs" not in {b.name(k) for k in ANSWERS}
    assert b.name("hybrid_option") == "onprem"


def test_the_price_note_names_an_off_peak_price_and_an_unlisted_cache_price(books):
    """The Comparison's note row says what the engine's note says (workbook.cli.report.api_price_note): the
    off-peak price not used, the cache price not listed."""
    b = books["time_of_day"]
    p = token_price(b.scenario.api_model)
    assert p.time_of_day and "off-peak" in b.name("api_price_note")
    assert _close(b.name("api_input_price_per_mtok_used"), p.input)  # the standard price, not the off-peak one
    seen = set()
    for name, book in books.items():
        if name.startswith("random_") or name == "time_of_day":
            note = api_price_note(book.scenario)
            assert (book.name("api_price_note") or "") == note, name  # an empty text reads back as None
            seen.add("cache read price not listed" in note)
    assert seen == {True, False}  # the random cases cover both


def test_price_age_notes_equal_the_engines(books):
    """The age of the catalog price an option uses (undated, or older than 180 days at the catalog's date) is the
    engine's note, computed in formulas from the price date and the build-time catalog date (no TODAY())."""
    seen = set()
    for name, b in books.items():
        if name.startswith("bad_"):  # inputs typed over: the workbook shows "check Inputs", no offer to age
            continue
        table = compare(b.scenario)
        for option in ("cloud", "onprem"):
            want = price_age_note(option, table.loc[option, "offer"], load_catalog())
            assert (b.name(f"{option}_price_age_note") or "") == want, (name, option)
            seen.add(bool(want))
    assert seen == {True, False}  # the cases cover a stale price and a recent one


def test_reasoning_notes_and_hidden_tokens_equal_the_engine(books):
    """Hidden reasoning tokens and cache writes price as the engine prices them (the answers: above); a blank
    reasoning key of a reasoning model shows the engine's note on the Comparison and beside the Inputs key."""
    for name in ("reasoning_cache_write", "reasoning_typed_write", "reasoning_blank"):
        b = books[name]
        table = compare(b.scenario)
        assert (b.name("api_reasoning_note") or "") == table.loc["api", "notes"], name
        for option in ("cloud", "onprem"):
            notes = (b.name("reasoning_note") or "", b.name(f"{option}_price_age_note") or "")
            assert "; ".join(n for n in notes if n) == table.loc[option, "notes"], (name, option)
        plan = plan_for(b.scenario)
        assert _close(b.name("api_variable"), float(plan.options["api"].variable[0])), name
    blank = books["reasoning_blank"]
    assert blank.name("api_reasoning_note").startswith("api_reasoning_tokens blank: o4-mini reasons")
    assert blank.name("reasoning_note").startswith("reasoning_tokens blank: gpt-oss-120b reasons")
    row = blank.row_of("Inputs", "reasoning_tokens")
    assert blank.at("Inputs", row, 8) == blank.name("reasoning_note")  # the warning column (H)
    assert not books["reasoning_cache_write"].name("reasoning_note")
