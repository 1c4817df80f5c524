"""api_service_tier takes the token-price catalog's prices at that tier (docs/pricing.md#service-tiers): the
expected prices are read from genai-prices' own data, never typed here."""

from datetime import datetime, timezone

import pytest
from genai_prices.data_snapshot import get_snapshot

from costengine import CostModelError, Scenario, cost_per_request, monthly_cost
from costengine.token_prices import SERVICE_TIERS, service_tiers, token_price


def _catalog_tier_price(model: str, tier: str):
    """The catalog's own price of ``model`` at ``tier``, read straight from genai-prices' data."""
    _, info = get_snapshot().find_provider_model(model, None, None, None)
    return info.get_prices(datetime.now(timezone.utc), {"service_tier": tier})


def _with(tier: str) -> list[str]:
    """Some catalog models priced at ``tier`` (read from the catalog, so the test follows its updates)."""
    out = []
    for prov in get_snapshot().providers:
        for m in prov.models:
            if any(v.when == {"service_tier": tier} for v in m.price_variants or ()):
                out.append(m.id)
    return out


@pytest.mark.parametrize("tier", ["flex", "priority"])
def test_tier_prices_are_the_catalogs(tier):
    models = [m for m in _with(tier) if tier in service_tiers(m)]
    assert models, f"the catalog has no {tier} prices"
    for model in models[:5]:
        got = token_price(model, None, 0.0, "api_model", tier)
        want = _catalog_tier_price(model, tier)
        assert got.input == pytest.approx(float(want.input_mtok))
        assert got.output == pytest.approx(float(want.output_mtok))


def test_the_scenario_takes_the_tier_price():
    model = next(m for m in _with("flex") if "flex" in service_tiers(m))
    std, flex = token_price(model), token_price(model, None, 0.0, "api_model", "flex")
    assert (flex.input, flex.output) != (std.input, std.output)
    base = dict(api_model=model, prompt_tokens=1000, output_tokens=500, api_reasoning_tokens=0, requests_per_month=1e6)
    want = (1000 * flex.input + 500 * flex.output) / 1e6
    assert cost_per_request({**base, "api_service_tier": "flex"}, "api") == pytest.approx(want, rel=1e-12)
    assert cost_per_request(base, "api") == pytest.approx((1000 * std.input + 500 * std.output) / 1e6, rel=1e-12)
    # typed prices are taken as given, whatever the tier
    typed = {**base, "api_input_price_per_mtok": 2.0, "api_output_price_per_mtok": 4.0, "api_service_tier": "flex"}
    assert monthly_cost(typed, "api") == pytest.approx(1e6 * (1000 * 2.0 + 500 * 4.0) / 1e6)


def test_a_tier_the_model_lacks_is_an_error_naming_the_key_and_its_tiers():
    model = next(
        m.id
        for p in get_snapshot().providers
        for m in p.models
        if p.id == "anthropic" and not any("service_tier" in v.when for v in m.price_variants or ())
    )
    with pytest.raises(CostModelError) as exc:
        monthly_cost(dict(api_model=model, api_service_tier="priority"), "api")
    assert exc.value.key == "api_service_tier"
    assert "no priority price" in exc.value.problem and "it has: standard" in exc.value.problem


def test_bad_tier_names_the_key():
    with pytest.raises(CostModelError) as exc:
        Scenario.parse({"api_service_tier": "turbo"})
    assert exc.value.key == "api_service_tier"
    assert Scenario.parse({"api_service_tier": " Flex "}).api_service_tier == "flex"
    assert SERVICE_TIERS[0] == Scenario().api_service_tier == "standard"


def test_a_sweep_prices_each_row_at_its_tier():
    import pandas as pd

    from costengine import sweep

    model = next(m for m in _with("flex") if "flex" in service_tiers(m))
    tiers = [t for t in service_tiers(model)] * 2
    df = pd.DataFrame({"api_model": model, "api_service_tier": tiers, "api_reasoning_tokens": 0.0})
    got = sweep(df)["api_monthly_cost"].tolist()
    want = [monthly_cost(dict(api_model=model, api_service_tier=t, api_reasoning_tokens=0), "api") for t in tiers]
    assert got == pytest.approx(want, rel=1e-12)
    assert len(set(got)) == len(set(tiers))
