"""Targets that fit the work: ``workload`` sets the blank latency targets; a target that binds hard is noted with
its price (docs/model.md#latency-targets)."""

import numpy as np
import pandas as pd
import pytest

from costengine import CostModelError, Scenario
from costengine.binding import AT_TARGET, BIND_RATIO, SMALL_BATCH, _named
from costengine.columns import frame_columns, scenario_columns
from costengine.engine import compare, sweep
from costengine.workloads import WORKLOAD_NAMES, WORKLOADS, workload_source

#: A made-up pair of targets for each kind of work: the table itself is the data (tested against its source in
#: the key notes), these check that whatever it says reaches the plan.
_FAKE = {"chat": (0.7, 55.0), "rag": (3.0, 90.0), "code": (0.3, 25.0), "agent": (1.5, 70.0), "batch": (0.0, 0.0)}


def _plan_row(s: Scenario) -> pd.DataFrame:
    return compare(s)[["monthly_cost", "batch", "gpus_per_replica", "ttft_s", "tpot_ms"]]


def test_kinds_and_their_sources():
    assert WORKLOAD_NAMES[0] == "chat" == Scenario().workload
    assert WORKLOADS["batch"][:2] == (0.0, 0.0)  # batch work: no target
    src = workload_source()
    for name, w in WORKLOADS.items():
        assert name in src and w.benchmark in src
    assert "loadgen/mlperf.conf@" in src and len(src.split("@")[1].split()[0]) == 40  # the commit read


@pytest.mark.parametrize("name", WORKLOAD_NAMES)
def test_blank_targets_take_the_workloads(monkeypatch, name):
    monkeypatch.setitem(WORKLOADS, name, WORKLOADS[name]._replace(ttft_s=_FAKE[name][0], tpot_ms=_FAKE[name][1]))
    s = Scenario(workload=name)
    ttft, tpot = _FAKE[name]
    assert s.targets() == (ttft or None, tpot or None)
    cols = scenario_columns(s)
    assert cols["max_ttft_s"][0] == (ttft or np.inf) and cols["max_tpot_ms"][0] == (tpot or np.inf)
    frame = frame_columns(pd.DataFrame({"workload": [name, "chat"], "max_tpot_ms": [None, 33.0]}))
    assert frame["max_ttft_s"][0] == (ttft or np.inf) and frame["max_tpot_ms"][0] == (tpot or np.inf)
    assert frame["max_tpot_ms"][1] == 33.0  # typed wins in a frame too


def test_typed_targets_win_and_none_means_none():
    s = Scenario(workload="rag", max_tpot_ms=30)
    assert s.targets() == (WORKLOADS["rag"].ttft_s, 30.0)
    assert Scenario(workload="rag", max_ttft_s="none").targets() == (None, WORKLOADS["rag"].tpot_ms)
    assert Scenario(workload="chat", max_ttft_s=0, max_tpot_ms="off").targets() == (None, None)
    assert Scenario(workload=" Agent ").workload == "agent"
    with pytest.raises(CostModelError, match="workload: must be one of chat, rag, code, agent or batch"):
        Scenario(workload="chatbot")


@pytest.mark.parametrize("name", ["rag", "agent", "batch"])
def test_each_workloads_defaults_reach_the_plan(name):
    # the blank targets plan exactly as the same targets typed (batch: as no targets at all)
    base = {"requests_per_month": 2e6, "prompt_tokens": 3000, "output_tokens": 300, "model": "llama-3.1-8b"}
    ttft, tpot = WORKLOADS[name][:2]
    typed = Scenario(**base, max_ttft_s=ttft or "none", max_tpot_ms=tpot or "none")
    blank = Scenario(**base, workload=name)
    pd.testing.assert_frame_equal(_plan_row(blank), _plan_row(typed))
    if tpot:
        assert (compare(blank)["tpot_ms"].dropna() <= tpot).all()


def test_a_workloads_targets_change_the_plan():
    base = {"requests_per_month": 5e6, "prompt_tokens": 2000, "output_tokens": 400, "model": "llama-3.1-8b"}
    chat, batch = compare(Scenario(**base)), compare(Scenario(**base, workload="batch"))
    # the largest batch the targets allow (what sets capacity; the traffic's batch is below it)
    assert (batch.loc[["cloud", "onprem"], "max_batch"] >= chat.loc[["cloud", "onprem"], "max_batch"]).all()
    assert batch.loc["cloud", "max_batch"] > chat.loc["cloud", "max_batch"]


def test_a_sweep_takes_each_rows_workload():
    df = pd.DataFrame({"workload": ["chat", "rag", "batch", ""], "prompt_tokens": [4000] * 4, "model": "llama-3.1-8b"})
    out = sweep(df)
    for i, row in df.iterrows():
        one = compare(Scenario(**{k: v for k, v in row.items() if v != ""}))
        assert out.loc[i, "cloud_monthly_cost"] == pytest.approx(one.loc["cloud", "monthly_cost"], rel=1e-12)


def test_the_rag_scenario_of_issue_20_is_served_on_h100():
    # issue 20 "Why" 4: an 8k-token RAG prompt under chat's 0.45 s TTFT was refused on H100 with the API
    s = {
        "requests_per_month": 3e6,
        "prompt_tokens": 8000,
        "output_tokens": 400,
        "api_model": "claude-sonnet-4-5",
        "model": "llama-3.3-70b",
        "workload": "rag",
    }
    df = compare(s)
    assert np.isfinite(df["monthly_cost"]).all()
    assert (df.loc[["cloud", "onprem"], "ttft_s"] <= WORKLOADS["rag"].ttft_s).all()
    assert (df.loc[["cloud", "onprem"], "tpot_ms"] <= WORKLOADS["rag"].tpot_ms).all()


# --- the note where a target binds hard -----------------------------------------------------------------------


def _doubled(s: Scenario) -> Scenario:
    ttft, tpot = s.targets()
    return s.replace(max_ttft_s=2 * ttft if ttft else "none", max_tpot_ms=2 * tpot if tpot else "none")


def test_named_target_is_the_one_the_plan_is_at():
    assert _named(0.5, 40.0, 0.1, 0.039) == "max_tpot_ms=40"
    assert _named(0.5, 40.0, 0.49, 0.010) == "max_ttft_s=0.5"
    assert _named(0.5, 40.0, 0.5 * AT_TARGET, 0.040) == "max_ttft_s=0.5 and max_tpot_ms=40"
    assert _named(0.5, 40.0, 0.1, 0.010) == "max_ttft_s=0.5 and max_tpot_ms=40"  # held through the layout
    assert _named(np.inf, 40.0, 0.1, 0.010) == "max_tpot_ms=40"


@pytest.mark.parametrize("volume", [3e5, 2e6, 1e7, 4e7])
@pytest.mark.parametrize("tpot", [6.0, 9.0, 20.0, 400.0])
def test_note_iff_a_rule_holds(volume, tpot):
    # the rules recomputed from compare() of the scenario and of the same scenario with the targets doubled
    s = Scenario(
        requests_per_month=volume,
        prompt_tokens=1500,
        output_tokens=300,
        model="llama-3.1-8b",
        max_tpot_ms=tpot,
        max_ttft_s=5.0,
        staff_monthly=0,
        cloud_monthly_overhead=0,
        cloud_price_per_gpu_hour=2.5,  # made-up prices: GPUs one by one
        onprem_capex_per_server=150_000,
        onprem_gpus_per_server=4,
        onprem_power_kw=3.0,
        onprem_maintenance_monthly=400,
    )
    try:
        df = compare(s)
    except CostModelError:
        pytest.skip("no layout meets the target")
    loose = compare(_doubled(s))
    for opt in ("cloud", "onprem"):
        cost, doubled = df.loc[opt, "monthly_cost"], loose.loc[opt, "monthly_cost"]
        small = df.loc[opt, "max_batch"] < SMALL_BATCH and df.loc[opt, "replicas"] > s.min_replicas
        note = df.loc[opt, "notes"]
        if cost > BIND_RATIO * doubled:
            assert "binds" in note and f"{cost:,.0f} vs {doubled:,.0f} USD/month" in note
            assert f"({cost / doubled - 1:+.0%})" in note
        elif not small:
            assert "binds" not in note
        if "binds" in note and small:
            assert f"batch {df.loc[opt, 'max_batch']:,.0f} where memory holds" in note


def test_note_when_a_tight_target_holds_the_batch_and_not_when_loose():
    s = Scenario(
        requests_per_month=2e7,
        prompt_tokens=1000,
        output_tokens=300,
        model="llama-3.1-8b",
        staff_monthly=0,
        cloud_monthly_overhead=0,
    )
    tight = compare(s.replace(max_tpot_ms=6, max_ttft_s="none"))
    loose = compare(s.replace(max_tpot_ms=5000, max_ttft_s=500))
    none = compare(s.replace(workload="batch"))
    assert all("binds" in n for n in tight.loc[["cloud", "onprem"], "notes"])
    assert "max_tpot_ms=6 binds" in tight.loc["cloud", "notes"]
    assert tight.loc["cloud", "max_batch"] < SMALL_BATCH and "where memory holds" in tight.loc["cloud", "notes"]
    assert not any("binds" in n for n in loose["notes"]) and not any("binds" in n for n in none["notes"])
    assert "binds" not in tight.loc["api", "notes"]  # the API has no target to bind
    typed = compare(s.replace(max_tpot_ms=6, seconds_per_request=0.05))  # a typed replica time: nothing derived
    assert not any("binds" in n for n in typed["notes"])


def test_sweeps_do_not_compute_the_note_and_keep_their_columns():
    out = sweep(pd.DataFrame({"max_tpot_ms": [9.0], "model": ["llama-3.1-8b"], "requests_per_month": [2e7]}))
    assert "notes" not in out.columns


# --- the workbook: the workload's targets in native formulas, the batch rule said on the Comparison sheet -------


@pytest.mark.libreoffice
def test_workbook_takes_the_workloads_targets_and_says_when_the_batch_is_held(tmp_path):
    from test_workbook_recalc import _close, _engine_answers

    from workbook.builder import write_workbook

    from recalc_cases import WORKLOAD_RAG, as_book
    from recalc_store import recalculate

    cases = {
        "rag": Scenario(**WORKLOAD_RAG),
        # the same prompts under chat's targets on H200: batch 1 while memory holds hundreds (the engine's note)
        "chat_h200": Scenario(**{**WORKLOAD_RAG, "workload": "chat", "cloud_gpu": "H200", "onprem_gpu": "H200"}),
    }
    paths = [write_workbook(tmp_path / f"{k}.xlsx", s) for k, s in cases.items()]
    for (name, s), rec in zip(cases.items(), recalculate(paths)):
        book = as_book(rec, s, False)
        for key, want in _engine_answers(s).items():
            assert _close(book.name(key), want), (name, key, book.name(key), want)
        ttft, tpot = s.targets()
        assert _close(book.name("max_ttft_s_used"), ttft) and _close(book.name("max_tpot_ms_used"), tpot)
        table = compare(s)
        r = book.row_of("Comparison", "latency target binds (batch)")
        for j, option in enumerate(("cloud", "onprem")):
            assert _close(book.name(f"{option}_batch"), float(table.loc[option, "batch"]))
            said = book.at("Comparison", r, 4 + j) or ""
            engine = table.loc[option, "notes"]
            assert ("where memory holds" in said) == ("where memory holds" in engine), (name, option, said, engine)
            if said:
                assert said.removeprefix("a latency target binds: ") in engine.replace(",", ""), (said, engine)
    assert "where memory holds" in compare(cases["chat_h200"]).loc["cloud", "notes"]


def test_workbook_table_of_workloads_is_the_engines():
    from workbook.builder import build_workbook
    from workbook.sheets.inputs import key_row

    wb = build_workbook()
    ws = wb["Constants"]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "workload") + 1
    table = {ws.cell(first + i, 1).value: (ws.cell(first + i, 2).value, ws.cell(first + i, 3).value) for i in range(5)}
    assert table == {k: (w.ttft_s, w.tpot_ms) for k, w in WORKLOADS.items()}
    inputs = wb["Inputs"]
    check = inputs[f"G{key_row('workload')}"].value
    assert "list_workloads" in check and "must be one of chat, rag, code, agent or batch" in check
    for key in ("max_ttft_s", "max_tpot_ms"):  # the default column: the workload's target, looked up
        assert "workload_used" in inputs[f"E{key_row(key)}"].value
