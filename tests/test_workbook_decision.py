"""The Projection and Sensitivity sheets recalculated by LibreOffice agree with the engine.

The workbooks come from the session's single soffice run (tests/recalc_cases.py): the seed and default
scenarios, scenarios with positive, negative and zero growth (random and made-up), a 600-month horizon,
a volume that overflows, and a workbook with invalid inputs typed over. Checks: no error value, every
month's costs and cumulative costs equal ``costengine.projection.projection()`` to 1e-9 relative, payback
months and NPVs equal the engine's, zero growth gives the Comparison sheet's cost every month, a worked
example by hand, and the Sensitivity sheet shows the engine's table and knows when it is stale.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from openpyxl.utils import column_index_from_string

from costengine import CostModelError, compare
from costengine.projection import decision_summary, npv, payback_month, projection
from costengine.sensitivity import sensitivity
from workbook.sheets.projection import COLUMNS, FIRST_ROW, LAST_ROW
from workbook.sheets.sensitivity import BREAKEVEN_ROW, TABLE_ROW
from workbook.sheets.sensitivity_data import MAX_ROWS

# LibreOffice's values come from tests/data/recalc_store where stored (recalc_store.py skips without soffice otherwise)
pytestmark = pytest.mark.libreoffice

ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}
SHEETS = ("Projection", "Sensitivity")
#: Engine columns checked month by month (their Projection-sheet column has the same key).
MONTHLY = (
    "requests",
    "api",
    "cloud",
    "onprem",
    "onprem_cash",
    "cloud_replicas",
    "onprem_servers",
    "onprem_capex",
    "cumulative_api",
    "cumulative_cloud",
    "cumulative_onprem",
    "cumulative_onprem_cash",
    "discount_factor",
    "hybrid_cloud",
    "hybrid_cloud_replicas",
    "hybrid_onprem",
    "hybrid_onprem_cash",
    "hybrid_onprem_servers",
    "cumulative_hybrid_cloud",
    "cumulative_hybrid_onprem",
    "cumulative_hybrid_onprem_cash",
)
#: The projection needs all three options: one that cannot be served (cloud_not_feasible) leaves it not computable.
NOT_COMPUTABLE = ("bad_inputs", "bad_text", "overflow", "cloud_not_feasible")


@pytest.fixture(scope="module")
def books(recalculated_books):
    return recalculated_books


def _col(key: str) -> int:
    return column_index_from_string(COLUMNS[key])


def _close(got, want) -> bool:
    return (
        isinstance(got, (int, float))
        and not isinstance(got, bool)
        and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    )


def _computable(books):
    return {name: b for name, b in books.items() if name not in NOT_COMPUTABLE}


def test_no_error_value_on_the_decision_sheets(books):
    for name, book in books.items():
        for sheet in SHEETS:
            bad = [
                (rc, v)
                for rc, v in book.values[sheet].items()
                if isinstance(v, str) and (v in ERRORS or v.startswith("Err:"))
            ]
            assert not bad, (name, sheet, bad[:5])


def test_cases_cover_growth_up_down_and_flat(books):
    growth = [b.scenario.growth_rate_monthly for b in _computable(books).values()]
    assert sum(g > 0 for g in growth) >= 4 and sum(g < 0 for g in growth) >= 2 and sum(g == 0 for g in growth) >= 30
    assert max(b.scenario.horizon_months for b in books.values()) == LAST_ROW - FIRST_ROW + 1


def test_every_month_equals_the_engine(books):
    months = 0
    for name, book in _computable(books).items():
        df = projection(book.scenario)
        for i, row in enumerate(df.to_dict("records")):
            r = FIRST_ROW + i
            assert book.at("Projection", r, _col("month")) == row["month"], (name, r)
            for key in MONTHLY:
                got = book.at("Projection", r, _col(key))
                assert _close(got, float(row[key])), (name, row["month"], key, got, row[key])
            months += 1
        for r in range(FIRST_ROW + len(df), min(FIRST_ROW + len(df) + 2, LAST_ROW + 1)):  # past the horizon: empty
            cols = [
                *range(1, _col("paid_back_onprem") + 1),  # the hidden chart columns between repeat the last month
                *range(_col("hybrid_cloud"), _col("paid_back_hybrid_onprem") + 1),
            ]
            shown = [book.at("Projection", r, c) for c in cols]
            assert all(v in (None, "") for v in shown), (name, r, shown)
    assert months > 2000


def test_payback_months_npv_and_totals_equal_the_engine(books):
    for name, book in _computable(books).items():
        s = book.scenario
        want = {
            "payback_month_cloud": payback_month(s, "cloud"),
            "payback_month_onprem": payback_month(s, "onprem", view="cash"),
            "payback_month_onprem_amortised": payback_month(s, "onprem", view="amortised"),
            "payback_month_hybrid_cloud": payback_month(s, "hybrid_cloud"),
            "payback_month_hybrid_onprem": payback_month(s, "hybrid_onprem", view="cash"),
            "payback_month_hybrid_onprem_amortised": payback_month(s, "hybrid_onprem", view="amortised"),
        }
        summary = decision_summary(s)
        for key, month in want.items():
            got = book.name(key)
            hybrid = key.removeprefix("payback_month_").removesuffix("_amortised")
            if hybrid in summary.index and summary.loc[hybrid, "same_as_api"]:  # no replica in any month: the API
                assert got == "same as API", (name, key, got)
                continue
            assert got == ("none" if month is None else month), (name, key, got, month)
        for option, view, suffix in (
            ("api", "cash", "api"),
            ("cloud", "cash", "cloud"),
            ("onprem", "cash", "onprem"),
            ("onprem", "amortised", "onprem_amortised"),
            ("hybrid_cloud", "cash", "hybrid_cloud"),
            ("hybrid_onprem", "cash", "hybrid_onprem"),
            ("hybrid_onprem", "amortised", "hybrid_onprem_amortised"),
        ):
            assert _close(book.name(f"npv_{suffix}"), npv(s, option, view=view)), (name, suffix)
            total = summary.loc[option, "total_cost_cash" if view == "cash" else "total_cost"]
            assert _close(book.name(f"total_cost_{suffix}"), float(total)), (name, suffix)


def test_hybrid_months_split_and_keep_servers(books):
    """The hybrid cases split the load in some months, and the shrinking one keeps servers it no longer needs."""
    splits = 0
    for name in ("hybrid_growth", "hybrid_shrinking"):
        df = projection(books[name].scenario)
        splits += int(((df["hybrid_cloud_share"] > 0) & (df["hybrid_cloud_share"] < 1)).sum())
        for t in range(len(df)):
            got = books[name].at("Projection", FIRST_ROW + t, _col("hybrid_cloud"))
            assert got <= min(df["api"].iloc[t], df["cloud"].iloc[t]) * (1 + 1e-12), (name, t)
    assert splits > 20
    b = books["hybrid_shrinking"]
    servers = [b.at("Projection", FIRST_ROW + t, _col("hybrid_onprem_servers")) for t in range(30)]
    assert servers[0] > 0 and servers == sorted(servers) and servers[-1] == servers[0]


def test_payback_is_found_and_missed(books):
    """The cases exercise both answers: a payback within the horizon and none."""
    answers = [b.name(k) for b in _computable(books).values() for k in ("payback_month_onprem", "payback_month_cloud")]
    assert "none" in answers
    assert any(isinstance(a, (int, float)) and a > 1 for a in answers)


def test_zero_growth_every_month_equals_the_comparison_sheet(books):
    flat = {n: b for n, b in _computable(books).items() if b.scenario.growth_rate_monthly == 0}
    assert len(flat) >= 30
    for name, book in flat.items():
        for option, key in (("api", "api"), ("cloud", "cloud"), ("onprem", "onprem")):
            monthly = book.name(f"{option}_monthly_cost")
            for t in range(book.scenario.horizon_months):
                got = book.at("Projection", FIRST_ROW + t, _col(key))
                assert _close(got, monthly), (name, option, t + 1, got, monthly)


def test_hand_example_with_ten_percent_growth(books):
    # docs/decision-analysis.md: one replica serves 2,592,000 requests a month; 1e6 x 1.1^(t-1) passes it in
    # month 11, which buys the second server (50,000) and rents a second cloud replica (1,440 a month each).
    b = books["hand_growth"]
    row = {t: FIRST_ROW + t - 1 for t in range(1, 25)}
    servers = [math.ceil(1e6 * 1.1 ** (t - 1) / 2_592_000) for t in (10, 11, 24)]
    assert servers == [1, 2, 4]
    assert [b.at("Projection", row[t], _col("onprem_servers")) for t in (10, 11, 24)] == servers
    assert b.at("Projection", row[11], _col("onprem_capex")) == pytest.approx(50_000, rel=1e-12)
    assert b.at("Projection", row[11], _col("onprem_cash")) == pytest.approx(52_000, rel=1e-12)
    assert b.at("Projection", row[1], _col("onprem_cash")) == pytest.approx(51_000, rel=1e-12)
    # API cumulative 100,000 x (1.1^t - 1): 46,410 < 54,000 in month 4, 61,051 >= 55,000 in month 5
    assert b.at("Projection", row[12], _col("cumulative_api")) == pytest.approx(100_000 * (1.1**12 - 1), rel=1e-12)
    assert b.name("payback_month_onprem") == 5
    assert b.name("payback_month_cloud") == 1
    i = 1.08 ** (1 / 12) - 1
    cloud = sum(1_440 * math.ceil(1e6 * 1.1 ** (t - 1) / 2_592_000) / (1 + i) ** t for t in range(1, 25))
    assert b.name("npv_cloud") == pytest.approx(cloud, rel=1e-12)
    flat = books["hand_flat"]  # 50,000 + 1,000 t <= 10,000 t first at t = 6
    assert flat.name("payback_month_onprem") == 6


def test_not_computable_says_why(books):
    with pytest.raises(CostModelError, match="growth_rate_monthly"):
        projection(books["overflow"].scenario)
    for name, reason in (
        ("overflow", "volume overflows"),
        ("bad_inputs", "check Inputs"),
        ("bad_text", "check Inputs"),
        ("cloud_not_feasible", "not feasible: cloud"),
    ):
        b = books[name]
        for key in ("npv_api", "npv_onprem", "payback_month_onprem", "total_cost_cloud"):
            assert b.name(key) == reason, (name, key)
        assert b.at("Projection", FIRST_ROW, 1) in (None, "")
        assert b.at("Projection", 3, 1)  # the message line above the answers
    assert "overflow" in books["overflow"].at("Projection", 3, 1)


# --- Sensitivity ---------------------------------------------------------------------------------------


def test_sensitivity_is_up_to_date_where_generated_and_stale_where_typed_over(books):
    for name, book in books.items():
        status = book.at("Sensitivity", 6, 1)
        # inputs typed over the generated workbook; bad_text's horizon and growth do not enter the monthly cost
        typed = {"bad_inputs": 2, "bad_text": 1}.get(name)
        if typed:
            assert book.name("sensitivity_inputs_changed") == typed
            assert status.startswith(f"STALE: {typed} input(s) changed"), status
        else:
            assert book.name("sensitivity_inputs_changed") == 0, name
            assert status.startswith("Status: up to date"), (name, status)


def _shown_rows(book) -> list[dict]:
    header = [book.at("Sensitivity", TABLE_ROW, c) for c in range(1, 22)]
    rows = []
    for i in range(MAX_ROWS):
        values = {h: book.at("Sensitivity", TABLE_ROW + 1 + i, c) for c, h in enumerate(header, start=1)}
        if values["#"] not in (None, ""):
            rows.append(values)
    return rows


@pytest.mark.parametrize("name", ["default", "seed_000", "hand_growth", "random_16", "random_26", "growth_07"])
def test_sensitivity_table_shows_the_engine(books, name):
    book = books[name]
    s = book.scenario
    df = sensitivity(s).set_index("input")
    rows = _shown_rows(book)
    assert len(rows) == len(df) and [r["#"] for r in rows] == list(range(1, len(df) + 1))
    costs = compare(s)["monthly_cost"]
    cheapest = costs.idxmin()
    others = [o for o in costs.index if o != cheapest]
    lead = min(costs[o] for o in others) - costs[cheapest]
    assert book.at("Sensitivity", 9, 3) == cheapest
    assert _close(book.at("Sensitivity", 13, 3), lead)
    sizes = []
    for row in rows:
        want = df.loc[row["input [unit]"].split(" [")[0]]
        for side in ("low", "high"):
            assert _close(row[side], want[side]), (name, row["input [unit]"], side)
            for option, label in (
                ("api", "api"),
                ("cloud", "cloud"),
                ("onprem", "on-prem"),
                ("hybrid_cloud", "hybrid cloud"),
                ("hybrid_onprem", "hybrid on-prem"),
            ):
                got, change = row[f"{label}, input {side}"], want[f"{option}_change_{side}"]
                assert (got == "n/a") if np.isnan(change) else _close(got, change), (name, row["input [unit]"])
            # no cheapest option at that value (an input the engine refuses): None, or NaN in a pandas string column
            no_answer = want[f"cheapest_{side}"] is None or want[f"cheapest_{side}"] != want[f"cheapest_{side}"]
            assert row[f"cheapest, input {side}"] == ("n/a" if no_answer else want[f"cheapest_{side}"])
            lead_side = min(want[f"{o}_cost_{side}"] for o in others) - want[f"{cheapest}_cost_{side}"]
            got = row[f"lead change, input {side}"]
            assert (got == "n/a") if np.isnan(lead_side) else _close(got, lead_side - lead), (name, row["input [unit]"])
        assert row["flips the answer?"] == ("yes" if want["flips_cheapest"] else "no")
        sizes.append(
            max(
                [
                    abs(row[f"lead change, input {side}"])
                    for side in ("low", "high")
                    if row[f"lead change, input {side}"] != "n/a"
                ],
                default=-1,
            )
        )
    assert sizes == sorted(sizes, reverse=True)  # largest effect on the lead first


def test_sensitivity_break_even_table(books):
    book = books["seed_000"]
    df = sensitivity(book.scenario).set_index("input")
    first = BREAKEVEN_ROW + 2
    for i in range(len(df)):
        r = first + i
        want = df.loc[book.at("Sensitivity", r, 2).split(" [")[0]]
        for k, pair in enumerate(("api_cloud", "api_onprem", "cloud_onprem")):
            for j, side in enumerate(("low", "high")):
                got, v = book.at("Sensitivity", r, 3 + 2 * k + j), want[f"breakeven_{pair}_{side}"]
                assert (got == "none") if np.isnan(v) else _close(got, v), (i, pair, side, got, v)
