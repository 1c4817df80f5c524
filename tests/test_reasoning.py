"""Hidden reasoning tokens and cache writes (docs/model.md#api-cost, #reasoning-tokens): made-up numbers."""

import csv
import math
from fnmatch import fnmatchcase
from importlib import resources

import numpy as np
import pytest

from costengine import CostModelError, Scenario, compare, load_catalog, monthly_cost
from costengine.catalog_rows import ApiReasoning
from costengine.catalogs import api_reasoning, api_reasoning_table, token_price_table
from costengine.columns import scenario_columns
from costengine.resolve import resolve_api

#: API prices typed (made up), so the arithmetic needs no catalog price.
API = dict(
    api_input_price_per_mtok=2.0,
    api_output_price_per_mtok=10.0,
    api_cached_input_price_per_mtok=0.5,
    api_cache_write_price_per_mtok=2.5,
    prompt_tokens=1200,
    output_tokens=300,
    api_batch_share=0.0,
)
#: A derived self-hosted layout with made-up cloud and server prices (the model's architecture from the catalog).
SELF = dict(
    model="llama-3.1-8b",
    cloud_gpu="H100-SXM",
    onprem_gpu="H100-SXM",
    cloud_price_per_gpu_hour=3.0,
    cloud_gpus_per_replica=1,
    onprem_gpus_per_replica=1,
    onprem_gpus_per_server=1,
    onprem_capex_per_server=25_000,
    onprem_power_kw=1.2,
    onprem_maintenance_monthly=1000.0,
    requests_per_month=50_000_000,
    prompt_tokens=1000,
    output_tokens=200,
)


def _api(**kw):
    return resolve_api(scenario_columns(Scenario(**{**API, **kw})))


def test_hidden_api_tokens_are_billed_as_output_exactly():
    base = _api(api_model="gpt-4o", api_reasoning_tokens=0)
    more = _api(api_model="gpt-4o", api_reasoning_tokens=1500)
    assert more.variable[0] - base.variable[0] == pytest.approx(1500 * 10.0 / 1e6, rel=1e-12)
    halved = _api(api_model="gpt-4o", api_reasoning_tokens=1500, api_batch_share=1.0, api_batch_discount=0.5)
    assert halved.variable[0] == pytest.approx(more.variable[0] * 0.5, rel=1e-12)


def test_cache_write_arithmetic():
    opt = _api(api_cached_input_share=0.3, api_cache_write_share=0.4, api_reasoning_tokens=100)
    # a prompt token is read (0.3), written (0.4) or neither (0.3): each at its own price
    expected = (1200 * (0.3 * 2.0 + 0.3 * 0.5 + 0.4 * 2.5) + (300 + 100) * 10.0) / 1e6
    assert opt.variable[0] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(CostModelError, match="api_cache_write_share: must be at most 1 - api_cached_input_share"):
        _api(api_cached_input_share=0.7, api_cache_write_share=0.4)
    # no writes: a blank write price is not needed (and not looked up)
    no_write = resolve_api(
        scenario_columns(Scenario(**{**API, "api_cache_write_price_per_mtok": None, "api_model": "no-such-model"}))
    )
    assert no_write.variable[0] == pytest.approx((1200 * 2.0 + 300 * 10.0) / 1e6, rel=1e-12)


def test_blank_write_price_comes_from_the_catalog():
    s = Scenario(**{**API, "api_cache_write_price_per_mtok": None, "api_model": "claude-sonnet-4-5"})
    s = s.replace(api_cache_write_share=1.0, usd_to_currency=2.0)
    from costengine.catalogs import token_price

    write = token_price("claude-sonnet-4-5", None, 1200).cache_write * 2.0
    opt = resolve_api(scenario_columns(s))
    expected = (1200 * write + 300 * 10.0) / 1e6  # the whole prompt written: at the write price only
    assert opt.variable[0] == pytest.approx(expected, rel=1e-12)


def test_blank_for_a_reasoning_api_model_warns_and_typed_zero_does_not():
    blank = _api(api_model="gpt-5-mini")
    assert blank.notes[0].startswith("api_reasoning_tokens blank: gpt-5-mini reasons")
    assert "type an estimate" in blank.notes[0]
    zero = _api(api_model="gpt-5-mini", api_reasoning_tokens=0)
    assert zero.notes[0] == "" and zero.variable[0] == blank.variable[0]
    plain = _api(api_model="claude-sonnet-4-5")
    assert plain.notes[0] == ""
    table = compare(Scenario(**{**API, "api_model": "gpt-5-mini"}))
    assert "api_reasoning_tokens blank" in table.loc["api", "notes"]


def test_blank_takes_a_sourced_typical_figure_as_an_estimate(monkeypatch):
    row = ApiReasoning("made-up-*", "yes", 700.0, "https://example.org/typical", "2026-01-01")
    monkeypatch.setattr("costengine.api_stage.api_reasoning", lambda m: row if m.startswith("made-up") else None)
    est = _api(api_model="made-up-model")
    typed = _api(api_model="made-up-model", api_reasoning_tokens=700)
    assert est.variable[0] == pytest.approx(typed.variable[0], rel=1e-12)
    assert "estimated 700 hidden tokens" in est.notes[0] and "https://example.org/typical" in est.notes[0]
    assert typed.notes[0] == ""


def test_open_reasoning_tokens_lengthen_decode_and_raise_both_self_hosted_costs():
    base = compare(Scenario(**SELF, reasoning_tokens=0))
    more = compare(Scenario(**SELF, reasoning_tokens=800))
    for option in ("cloud", "onprem"):
        assert more.loc[option, "monthly_cost"] > base.loc[option, "monthly_cost"]
        assert more.loc[option, "notes"] == "" and base.loc[option, "notes"] == ""
    # the same decode as 800 more visible output tokens: identical seconds and cost
    same = compare(Scenario(**{**SELF, "output_tokens": 1000}, reasoning_tokens=0))
    assert same.loc["cloud", "monthly_cost"] == pytest.approx(more.loc["cloud", "monthly_cost"], rel=1e-12)
    # cost per MTok counts the visible tokens only
    mtok = SELF["requests_per_month"] * 1200 / 1e6
    assert more.loc["cloud", "cost_per_mtok"] == pytest.approx(more.loc["cloud", "monthly_cost"] / mtok)


def test_blank_for_a_reasoning_open_model_warns_on_cloud_and_onprem():
    s = Scenario(**{**SELF, "model": "gpt-oss-20b"})
    table = compare(s)
    for option in ("cloud", "onprem"):
        assert table.loc[option, "notes"].startswith("reasoning_tokens blank: gpt-oss-20b reasons")
    assert table.loc["api", "notes"] in ("",) or "api_reasoning_tokens" in table.loc["api", "notes"]
    typed = compare(s.replace(reasoning_tokens=0))
    assert typed.loc["cloud", "notes"] == "" and typed.loc["onprem", "notes"] == ""
    assert typed.loc["cloud", "monthly_cost"] == table.loc["cloud", "monthly_cost"]
    assert compare(Scenario(**SELF)).loc["cloud", "notes"] == ""  # not a reasoning model


def test_api_reasoning_file_rows_are_sourced_and_match_catalog_ids():
    ids = {p.model.lower() for p in token_price_table()}
    rows = api_reasoning_table()
    assert rows
    for row in rows:
        assert row.source.startswith("https://") and row.read_on, row.pattern
        assert row.reasons in ("yes", "no")
        assert any(fnmatchcase(i, row.pattern.lower()) for i in ids), f"{row.pattern} matches no genai-prices id"
        assert math.isnan(row.typical_hidden_tokens) or row.typical_hidden_tokens > 0
    assert api_reasoning("gpt-5-mini").reasons == "yes"
    assert api_reasoning("GPT-5-MINI-2025-08-07").reasons == "yes"
    assert api_reasoning("gpt-4o") is None


def test_bad_api_reasoning_rows_are_refused():
    from costengine.errors import CostModelError

    with pytest.raises(CostModelError, match="source"):
        ApiReasoning("x*", "yes", math.nan, "example.org", "2026-01-01")
    with pytest.raises(CostModelError, match="reasons"):
        ApiReasoning("x*", "maybe", math.nan, "https://example.org", "2026-01-01")
    with pytest.raises(CostModelError, match="read_on"):
        ApiReasoning("x*", "yes", math.nan, "https://example.org", "soon")


def test_models_csv_marks_reasoning_models_in_its_last_column():
    text = resources.files("costengine.data").joinpath("models.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][-1] == "reasoning"
    assert all(r[-1] in ("true", "false") for r in rows[1:])
    cat = load_catalog()
    assert cat.model("gpt-oss-120b").reasoning is True and cat.model("llama-3.3-70b").reasoning is False
    assert np.all([isinstance(m.reasoning, bool) for m in cat.models.values()])


def test_hidden_tokens_count_toward_the_context_window():
    from costengine.errors import CostModelError

    ctx = load_catalog().model("llama-3.1-8b").context_length
    fits = Scenario(**{**SELF, "prompt_tokens": ctx - 1000, "output_tokens": 500, "max_ttft_s": "none"})
    compare(fits.replace(reasoning_tokens=400))
    over = compare(fits.replace(reasoning_tokens=600))  # the self-hosted options cannot serve it; the API can
    for option in ("cloud", "onprem"):
        assert over.loc[option, "status"].startswith("not feasible: prompt_tokens + output_tokens + reasoning_tokens")
    assert over.loc["api", "status"] == "ok"
    with pytest.raises(CostModelError, match="reasoning_tokens") as err:
        monthly_cost(fits.replace(reasoning_tokens=600), "cloud")
    assert "not feasible" in str(err.value)
