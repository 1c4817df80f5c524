"""Dated and graded prices (docs/pricing.md): integrity over the shipped rows, and the blank-choice rule, newest-wins
and staleness with made-up rows (their dates relative to a made-up catalog date, so the tests do not age)."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from types import MappingProxyType

import pytest

from costengine import CostModelError, Scenario, compare, load_catalog
from costengine.billing import choose_offer, eligible_offers
from costengine.catalog_rows import PRICE_TERMS
from costengine.catalogs import Catalog, CloudOffer, Server
from costengine.price_rules import (
    GRADES,
    MAX_AGE_DAYS,
    PRIMARY_GRADES,
    age_days,
    catalog_date,
    eligible,
    server_rank,
    stale_note,
    superseded,
)

NAN = math.nan
SHIPPED = load_catalog()
WEAK = tuple(g for g in GRADES if g not in PRIMARY_GRADES)


def _d(text: str) -> date:
    return date.fromisoformat(text)


# --- integrity over the shipped rows -------------------------------------------------------------------------


def test_the_catalog_records_its_own_date():
    assert _d(catalog_date()) >= max(_d(o.read_on) for o in SHIPPED.offers.values())


def test_every_offer_row_has_a_grade_a_read_day_and_no_price_date_after_it():
    for o in SHIPPED.offers.values():
        assert o.grade in GRADES and o.read_on, o.id
        if o.price_date:
            assert _d(o.price_date) <= _d(o.read_on) <= _d(catalog_date()), o.id


def test_every_priced_server_row_has_a_grade_and_a_read_day():
    for s in SHIPPED.servers.values():
        if not math.isnan(s.price_usd):
            assert s.grade in GRADES and s.read_on, s.id
            if s.price_date:
                assert _d(s.price_date) <= _d(s.read_on), s.id


def test_a_commitment_price_is_never_above_the_same_offers_on_demand_price():
    for o in SHIPPED.offers.values():
        for term in ("commit_1y", "commit_3y"):
            if not math.isnan(o.price_per_hour(term)):
                assert o.price_per_hour(term) <= o.on_demand_per_hour_usd, (o.id, term)


@pytest.mark.parametrize("term", [*PRICE_TERMS, "per_second"])
def test_no_blank_offer_choice_is_weak_undated_old_or_superseded(term):
    per_second = term == "per_second"
    pricing = "on_demand" if per_second else term
    for gpu in SHIPPED.gpus.values():
        for n_min in (1, 8):
            try:
                o = choose_offer(SHIPPED, gpu.id, pricing, per_second, n_min)
            except CostModelError as e:
                assert "blank-choice rule" in str(e) or "has no" in str(e)
                continue
            assert eligible(o), o.id
            same = [c for c in SHIPPED.offers_for(gpu.id)]
            priced = (lambda c: c.per_second) if per_second else (lambda c: not math.isnan(c.price_per_hour(pricing)))
            assert not superseded(o, same, priced), o.id


def test_no_standard_server_is_weak_or_undated_and_an_old_one_only_when_nothing_passes():
    for gpu in SHIPPED.gpus.values():
        rows = [s for s in SHIPPED.servers.values() if s.gpu == gpu.id]
        try:
            s = SHIPPED.standard_server(gpu.id)
        except CostModelError as e:
            assert not rows or "blank choice" in str(e)
            continue
        assert server_rank(s) in (1, 2), s.id
        if server_rank(s) == 2:
            assert not any(server_rank(r) == 1 for r in rows), s.id


def test_the_weak_servers_the_audit_named_are_not_standard():
    for sid in ("dgx-h100", "sr675v3-8xh100nvl", "dgx-h200"):
        s = SHIPPED.server(sid)
        assert s.grade in WEAK and not s.is_standard and server_rank(s) == 0


# --- the rule with made-up rows ------------------------------------------------------------------------------

AT = catalog_date()


def _days_before(n: int) -> str:
    return date.fromordinal(_d(AT).toordinal() - n).isoformat()


def offer(id, od, price_date, grade="provider", provider="P", instance=None, gpus=1, c1=NAN):
    return CloudOffer(
        id=id,
        provider=provider,
        instance=instance or id,
        region="r",
        gpu="H100-SXM",
        gpus_per_instance=gpus,
        on_demand_per_hour_usd=od,
        spot_per_hour_usd=NAN,
        commit_1y_per_hour_usd=c1,
        commit_3y_per_hour_usd=NAN,
        per_second_usd=NAN,
        source="made up",
        as_of="2026-01-01",
        price_date=price_date,
        read_on=AT,
        grade=grade,
    )


def server(id, price, price_date, grade="vendor", standard="no"):
    return Server(
        id=id,
        name=id,
        vendor="v",
        gpu="H100-SXM",
        gpus_per_server=8,
        price_usd=price,
        typical_kw=6.0,
        max_kw=10.0,
        support_per_year_usd=NAN,
        standard=standard,
        price_source="made up",
        power_source="made up",
        support_source="",
        as_of="2026-01-01",
        price_date=price_date,
        read_on=AT,
        grade=grade,
    )


def cat(offers=(), servers=()):
    return Catalog(
        gpus=SHIPPED.gpus,
        models=SHIPPED.models,
        offers=MappingProxyType({o.id: o for o in offers}),
        servers=MappingProxyType({s.id: s for s in servers}),
    )


def test_age_counts_from_the_catalog_date_and_a_year_is_the_limit():
    assert age_days("2025-03-01", "2025-12-07") == 281
    assert math.isnan(age_days(""))
    assert eligible(offer("a", 1.0, _days_before(MAX_AGE_DAYS)))
    assert not eligible(offer("a", 1.0, _days_before(MAX_AGE_DAYS + 1)))
    assert not eligible(offer("a", 1.0, ""))


@pytest.mark.parametrize("grade", WEAK)
def test_a_weak_source_is_never_a_blank_choice(grade):
    c = cat([offer("weak", 1.0, _days_before(10), grade=grade), offer("ok", 3.0, _days_before(10))])
    assert choose_offer(c, "H100-SXM", "on_demand", False, 1).id == "ok"


def test_an_undated_or_old_price_is_never_a_blank_choice_and_a_typed_id_still_works():
    rows = [offer("undated", 1.0, ""), offer("old", 2.0, _days_before(400)), offer("ok", 3.0, _days_before(100))]
    assert choose_offer(cat(rows), "H100-SXM", "on_demand", False, 1).id == "ok"
    assert choose_offer(cat(rows), "H100-SXM", "on_demand", False, 1, "undated").id == "undated"
    with pytest.raises(CostModelError, match=r"cloud_offer: no on_demand offer for H100-SXM passes the blank-choice"):
        choose_offer(cat(rows[:2]), "H100-SXM", "on_demand", False, 1)


def test_within_one_provider_and_instance_only_the_newest_price_counts():
    older = offer("older", 2.0, _days_before(200), instance="box")
    newer = offer("newer", 3.0, _days_before(20), instance=" BOX ")
    other = offer("other", 2.5, _days_before(300), provider="Q", instance="box")
    assert choose_offer(cat([older, newer, other]), "H100-SXM", "on_demand", False, 1).id == "other"
    assert choose_offer(cat([older, newer]), "H100-SXM", "on_demand", False, 1).id == "newer"
    # per term: the newer row has no 1-year price, so the older row's 1-year price still counts
    older_c = offer("older", 2.0, _days_before(200), instance="box", c1=1.5)
    assert choose_offer(cat([older_c, newer]), "H100-SXM", "commit_1y", False, 1).id == "older"
    assert [o.id for o in eligible_offers([older_c, newer], False, "on_demand")] == ["newer"]


def test_the_standard_server_comes_from_a_usable_price():
    weak = server("weak", 100_000.0, "", grade="secondary", standard="yes")
    ok = server("ok", 300_000.0, _days_before(30))
    old = server("old", 250_000.0, _days_before(500), standard="yes")
    unpriced = server("unpriced", NAN, "", grade="")
    assert cat(servers=[weak, ok]).standard_server("H100-SXM").id == "ok"
    assert cat(servers=[weak, old, ok]).standard_server("H100-SXM").id == "ok"  # rank 1 beats a standard of rank 2
    assert cat(servers=[weak, old]).standard_server("H100-SXM").id == "old"  # nothing passes: the older primary
    assert cat(servers=[weak, unpriced]).standard_server("H100-SXM").id == "unpriced"
    with pytest.raises(CostModelError, match=r"onprem_server: no server with H100-SXM GPUs has a price"):
        cat(servers=[weak]).standard_server("H100-SXM")


def test_a_stale_price_gets_a_note_with_its_age():
    assert stale_note("offer", "x", "2025-03-01", "2025-12-07") == (
        "price of offer x dated 2025-03-01, 281 days before the catalog (2025-12-07)"
    )
    assert stale_note("offer", "x", "2025-11-01", "2025-12-07") == ""
    assert stale_note("server", "y", "", "2025-12-07") == "price of server y is undated (catalog 2025-12-07)"


def _unpriced_gpu_catalog(servers):
    """The shipped GPUs with H100-SXM's purchase price blank (no source found, as for the GPUs added in issue 22)."""
    gpus = dict(SHIPPED.gpus)
    gpus["h100-sxm"] = dataclasses.replace(gpus["h100-sxm"], price_usd=NAN, price_source="", price_date="", grade="")
    return Catalog(
        gpus=MappingProxyType(gpus),
        models=SHIPPED.models,
        offers=MappingProxyType({}),
        servers=MappingProxyType({s.id: s for s in servers}),
    )


def test_a_server_without_a_price_on_a_gpu_without_a_price_is_refused_with_its_reason():
    """Nothing can price it (its price is estimated from the GPU's): the blank choice passes over it, a typed id and a
    catalog with only such rows answer with the reason, never a NaN cost."""
    unpriced = server("unpriced", NAN, "", grade="", standard="yes")
    ok = server("ok", 300_000.0, _days_before(30))
    c = _unpriced_gpu_catalog([unpriced, ok])
    assert not c.priceable(unpriced) and c.priceable(ok)
    assert cat(servers=[unpriced]).priceable(unpriced)  # the shipped H100 has a price to estimate from
    assert c.standard_server("H100-SXM").id == "ok"
    reason = r"onprem_server: server unpriced has no price and GPU H100-SXM has no catalog price to estimate it from"
    with pytest.raises(CostModelError, match=reason):
        c.server("unpriced")
    with pytest.raises(CostModelError, match=reason):
        _unpriced_gpu_catalog([unpriced]).standard_server("H100-SXM")


def test_an_unpriced_gpu_gives_a_reason_on_premises_and_typed_figures_still_work():
    c = _unpriced_gpu_catalog([server("unpriced", NAN, "", grade="", standard="yes")])
    s = Scenario(onprem_gpu="H100-SXM")
    status = compare(s, catalog=c).loc["onprem", "status"]
    assert status.startswith("not feasible: server unpriced has no price and GPU H100-SXM has no catalog price"), status
    typed = s.model_copy(
        update=dict(
            onprem_gpus_per_server=8, onprem_capex_per_server=1e6, onprem_power_kw=10, onprem_maintenance_monthly=1e3
        )
    )
    row = compare(typed, catalog=c).loc["onprem"]
    assert row["status"] == "ok" and row["monthly_cost"] > 0
