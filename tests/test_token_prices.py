"""Token prices that are what they seem: the standard time-of-day price whatever the clock, the flags for an
off-peak price and an unlisted cache price, the as-of line, and the api_model dropdown (docs/pricing.md,
"Token prices"). The real examples come from the installed genai-prices snapshot, read through its own API.
The Token Pricing and README sheets' side: tests/test_workbook_build.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from genai_prices.data_snapshot import get_snapshot
from typer.testing import CliRunner

import costengine.token_prices as tp
from costengine import Scenario, compare
from costengine.catalogs import token_price, token_price_table
from costengine.token_prices import scenario_price_note
from workbook.cli import app
from workbook.cli.catalog_view import search
from workbook.sheets.token_pricing import WELL_KNOWN, api_model_list, dropdown_models, not_chat

TIME_OF_DAY = "deepseek-reasoner"  # DeepSeek's off-peak discount: a TimeOfDateConstraint in the snapshot
NO_CACHE = "gpt-4"  # an OpenAI model whose snapshot entry has no cache_read_mtok
DAY = datetime(2026, 12, 2, tzinfo=timezone.utc)


def _raw(model: str, at: datetime):
    """genai-prices' own price of ``model`` at the instant ``at``."""
    return get_snapshot().find_provider_model(model, None, None, None)[1].get_prices(at)


def _half_hours():
    return [DAY + timedelta(minutes=30 * k) for k in range(48)]


@pytest.fixture
def clock(monkeypatch):
    """Set the engine's clock; the price caches are cleared before and after."""

    def at(when: datetime) -> None:
        monkeypatch.setattr(tp, "_now", lambda: when)
        tp.clear_caches()

    yield at
    monkeypatch.undo()
    tp.clear_caches()


def test_the_snapshot_really_prices_by_the_hour():
    inputs = {float(_raw(TIME_OF_DAY, t).input_mtok) for t in _half_hours()}
    assert len(inputs) == 2, f"{TIME_OF_DAY} no longer has a time-of-day price: pick another example"


def test_the_price_is_the_same_at_night_and_by_day(clock):
    got = []
    for hour in (3, 9, 14, 20, 23):  # both sides of every window boundary of DeepSeek's two schemes
        clock(DAY.replace(hour=hour))
        got.append(token_price(TIME_OF_DAY))
    assert all(g == got[0] for g in got[1:])
    raw = [_raw(TIME_OF_DAY, t) for t in _half_hours()]
    dear = max(raw, key=lambda p: float(p.input_mtok))
    cheap = min(raw, key=lambda p: float(p.input_mtok))
    p = got[0]
    assert (p.input, p.output) == (float(dear.input_mtok), float(dear.output_mtok))  # the standard (dearest) price
    assert p.time_of_day and (p.off_peak_input, p.off_peak_output) == (
        float(cheap.input_mtok),
        float(cheap.output_mtok),
    )
    assert p.off_peak_input < p.input and p.off_peak_hours and "off-peak" in p.note


def test_the_monthly_cost_does_not_depend_on_the_hour(clock):
    s = Scenario(api_model=TIME_OF_DAY, api_cached_input_share=0.4)
    costs = []
    for hour in (2, 12, 18):
        clock(DAY.replace(hour=hour))
        costs.append(float(compare(s).loc["api", "monthly_cost"]))
    assert costs[0] == costs[1] == costs[2]


def test_time_of_day_flags_match_the_snapshot():
    """Every flagged row has an hour-dependent raw price, and a sample of unflagged rows has none."""
    snap = get_snapshot()
    rows = token_price_table()
    flagged = [r for r in rows if r.time_of_day]
    assert any(r.model == TIME_OF_DAY for r in flagged)
    for r in flagged + [r for r in rows if not r.time_of_day][::50]:
        info = next(m for p in snap.providers if p.id == r.provider for m in p.models if m.id == r.model)
        day = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        varies = len({repr(info.get_prices(day + timedelta(minutes=30 * k))) for k in range(48)}) > 1
        assert varies == r.time_of_day, r.model


def test_an_unlisted_cache_price_is_flagged():
    assert _raw(NO_CACHE, DAY).cache_read_mtok is None, f"{NO_CACHE} has a cache price now: pick another example"
    p = token_price(NO_CACHE)
    assert not p.cache_read_listed and p.cache_read == p.input and "not listed" in p.note
    listed = token_price("gpt-5-mini")
    assert listed.cache_read_listed and listed.cache_read == float(_raw("gpt-5-mini", DAY).cache_read_mtok)
    assert "cache" not in listed.note


def test_the_scenario_note_follows_what_the_catalog_prices():
    tod, nocache = token_price(TIME_OF_DAY), token_price(NO_CACHE)
    assert "off-peak" in scenario_price_note(tod, False, 0.0, False)
    assert scenario_price_note(tod, True, 0.5, False) == ""  # input and output typed; the cache price is listed
    assert "not listed" in scenario_price_note(nocache, False, 0.5, False)
    assert scenario_price_note(nocache, False, 0.0, False) == ""  # nothing cached
    assert scenario_price_note(nocache, False, 0.5, True) == ""  # the cached price typed
    out = CliRunner().invoke(app, ["compare", "--set", f"api_model={TIME_OF_DAY}"], env={"COLUMNS": "200"})
    assert out.exit_code == 0 and f"api: {TIME_OF_DAY}: price varies with the time of day" in out.stdout


def test_the_as_of_line_never_invents_a_date():
    line = tp.token_prices_source()
    assert tp.token_prices_version() in line
    if tp.token_prices_as_of() is None:
        assert "not recorded" in line
    (row,) = search("prices", [TIME_OF_DAY])
    assert row["flags"] == "time of day" and row["off_peak_input"] < row["input"]


def test_the_dropdown_lists_chat_models_well_known_providers_first():
    drop = dropdown_models()
    refs = {a.ref for a in api_model_list()}
    assert drop and {a.ref for a in drop} <= refs  # every dropdown id resolves as the engine resolves it
    ranks = [WELL_KNOWN.index(a.base.provider) if a.base.provider in WELL_KNOWN else len(WELL_KNOWN) for a in drop]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert drop[0].base.provider != "cloudflare"
    assert not [a.ref for a in drop if not_chat(a)]
    left_out = {a.ref for a in api_model_list()} - {a.ref for a in drop}
    for ref in ("gpt-image-1", "gpt-4o-mini-tts", "gpt-4o-transcribe", "mistral-embed"):
        if ref in refs:
            assert ref in left_out, ref
    for ref in ("gpt-5-mini", "claude-haiku-4-5", TIME_OF_DAY):
        assert ref in {a.ref for a in drop}, ref


def test_not_chat_reads_prices_and_id_words():
    by_ref = {a.ref: a for a in api_model_list()}
    image = next(a for a in by_ref.values() if "output_image_mtok" in a.price_keys)
    assert not_chat(image).startswith("priced by")
    assert not_chat(by_ref["gpt-5-mini"]) == ""
    assert "embed" in not_chat(by_ref["mistral-embed"])
