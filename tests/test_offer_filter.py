"""cloud_region and cloud_tier filter the offers a blank cloud_offer is chosen from (costengine.offer_filter,
docs/pricing.md#region-and-tier): made-up offers for the arithmetic, the shipped catalog for the mapping rule."""

import math
from types import MappingProxyType

import pytest

from costengine import CostModelError, Scenario, compare, load_catalog, monthly_cost
from costengine.billing import choose_offer
from costengine.catalogs import Catalog, CloudOffer
from costengine.offer_filter import REGIONS, offer_regions, offer_where, region_label
from costengine.price_rules import catalog_date

NAN = math.nan
SHIPPED = load_catalog()


def offer(id, od, region, tier="production", gpus=8):
    return CloudOffer(
        id=id,
        provider="made up",
        instance=id,
        region=region,
        gpu="H100-SXM",
        gpus_per_instance=gpus,
        on_demand_per_hour_usd=od,
        spot_per_hour_usd=NAN,
        commit_1y_per_hour_usd=NAN,
        commit_3y_per_hour_usd=NAN,
        per_second_usd=NAN,
        source="made up",
        as_of="2026-01-01",
        price_date=catalog_date(),  # a dated primary price: the blank-choice rule may use it
        read_on=catalog_date(),
        grade="provider",
        tier=tier,
    )


OFFERS = [
    offer("us-cheap", 16.0, "us-east-1"),
    offer("eu-dear", 24.0, "eu-west-1 (Paris)"),
    offer("community", 8.0, "Community Cloud (third-party hosts)", tier="community"),
    offer("everywhere", 32.0, "all Foo regions"),
    offer("tokyo", 20.0, "ap-northeast-1"),
]
CAT = Catalog(
    gpus=SHIPPED.gpus,
    models=SHIPPED.models,
    offers=MappingProxyType({o.id: o for o in OFFERS}),
    servers=SHIPPED.servers,
)


@pytest.mark.parametrize(
    "region, tier, expected",
    [
        ("any", "production", "us-cheap"),  # the community offer is left out by default
        ("any", "any", "community"),
        ("us", "production", "us-cheap"),
        ("eu", "production", "eu-dear"),
        ("apac", "production", "tokyo"),
    ],
)
def test_choose_offer_filters_region_and_tier(region, tier, expected):
    assert choose_offer(CAT, "H100-SXM", "on_demand", False, 8, None, region, tier).id == expected


def test_all_regions_offer_is_in_every_region():
    only = Catalog(gpus=SHIPPED.gpus, models=SHIPPED.models, offers=MappingProxyType({"everywhere": OFFERS[3]}))
    for region in REGIONS:
        assert choose_offer(only, "H100-SXM", "on_demand", False, 8, None, region).id == "everywhere"


def test_no_offer_left_names_region_and_tier():
    only = Catalog(gpus=SHIPPED.gpus, models=SHIPPED.models, offers=MappingProxyType({"us-cheap": OFFERS[0]}))
    with pytest.raises(CostModelError) as exc:
        choose_offer(only, "H100-SXM", "on_demand", False, 8, None, "eu", "production")
    assert exc.value.key == "cloud_offer"
    assert "in region eu, production tier" in str(exc.value) and "cloud_region" in str(exc.value)


def test_typed_offer_ignores_the_filter():
    assert choose_offer(CAT, "H100-SXM", "on_demand", False, 8, "community", "eu", "production").id == "community"


def test_scenario_keys_reach_the_cost():
    # 8 GPUs typed, 1 replica: monthly = 8 GPUs x price per GPU-hour x 730 h
    base = dict(
        seconds_per_request=2.0,
        cloud_gpus_per_replica=8,
        min_replicas=1,
        target_utilization=1.0,
        peak_to_average=1.0,
        requests_per_month=1000,
        cloud_monthly_overhead=0,
        staff_monthly=0,
    )
    assert monthly_cost(base, "cloud", catalog=CAT) == pytest.approx(16.0 * 730)
    assert monthly_cost({**base, "cloud_region": "eu"}, "cloud", catalog=CAT) == pytest.approx(24.0 * 730)
    assert monthly_cost({**base, "cloud_tier": "any"}, "cloud", catalog=CAT) == pytest.approx(8.0 * 730)
    assert compare({**base, "cloud_region": "apac"}, catalog=CAT).loc["cloud", "offer"] == "tokyo"


def test_bad_values_name_the_key():
    for key, value in (("cloud_region", "mars"), ("cloud_tier", "community")):
        with pytest.raises(CostModelError) as exc:
            Scenario.parse({key: value})
        assert exc.value.key == key
    assert Scenario.parse({"cloud_region": " EU "}).cloud_region == "eu"


def test_bad_tier_in_a_row_names_the_row():
    with pytest.raises(CostModelError) as exc:
        offer("x", 1.0, "us", tier="cheap")
    assert exc.value.key == "x"
    assert offer("y", 1.0, "us", tier="").tier == "production"


@pytest.mark.parametrize(
    "text, regions",
    [
        ("us-east-1", ("us",)),
        ("eastus", ("us",)),
        ("North America", ("us",)),
        ("eu-north1 (Nebius AI Cloud)", ("eu",)),
        ("westeurope", ("eu",)),
        ("ap-tokyo-1", ("apac",)),
        ("Australia East", ("apac",)),  # "us" inside "australia" is not the US
        ("all OCI regions", REGIONS),
        ("Modal (multi-cloud)", ()),
        ("campus", ()),
    ],
)
def test_region_rule(text, regions):
    assert offer_regions(text) == regions


# shipped region texts that name no region (offered only with cloud_region=any): a new one is added on purpose
SHIPPED_NO_REGION = {
    "Nebius AI Cloud",
    "Community Cloud (third-party hosts)",
    "Hyperstack regions",
    "Modal (multi-cloud)",
}


def test_every_shipped_row_maps():
    for o in SHIPPED.offers.values():
        regions = offer_regions(o.region)
        assert regions or o.region in SHIPPED_NO_REGION, f"{o.id}: region {o.region!r} names no region"
        assert o.tier in ("production", "community"), o.id
        assert (o.tier == "community") == ("community cloud" in (o.region + o.instance).lower()), o.id


def test_offer_is_shown_with_region_and_tier():
    assert offer_where(CAT, "eu-dear") == "eu, production"
    assert offer_where(CAT, "community") == "no region stated, community"
    assert region_label("us-east-1 (same price all Lambda regions)") == "us, eu, apac"


def test_the_cli_shows_region_and_tier():
    from rich.console import Console

    from workbook.cli.report import answer_records, answers, render_answers

    s = Scenario.parse(dict(cloud_region="apac", seconds_per_request=2.0, cloud_gpus_per_replica=8, min_replicas=1))
    ans = answers(s, catalog=CAT)
    console = Console(record=True, width=200)
    render_answers(console, ans)
    assert "cloud: cloud offer tokyo (apac, production)" in console.export_text()
    records = {r["option"]: r for r in answer_records(ans)}
    assert records["cloud"]["offer"] == "tokyo" and records["cloud"]["offer_where"] == "apac, production"
    assert records["api"]["offer_where"] == ""
