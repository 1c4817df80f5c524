"""Integrity of the shipped cloud-offer and server catalogs (the data, not the arithmetic).

Checks what must hold whatever the prices are: the fixed columns, positive prices, commitment and spot terms
not above on demand, GPU ids the hardware catalog knows, a source and a date on every row, one standard
server per GPU, and that the spread of offers for one GPU is really there (several providers and terms).
"""

import csv
import math
from collections import Counter
from datetime import date
from importlib import resources

import pytest

from costengine import CostModelError
from costengine.catalogs import OFFER_COLUMNS, PRICE_TERMS, SERVER_COLUMNS, CloudOffer, Server, load_catalog

HYPERSCALERS = {"AWS", "Azure", "Google Cloud", "Oracle"}
GPU_CLOUDS = {"Lambda", "CoreWeave", "RunPod", "Nebius"}


def _raw(name):
    return list(csv.DictReader(resources.files("costengine.data").joinpath(name).open(encoding="utf-8")))


def _date(text):
    return date.fromisoformat(text)


def test_files_have_the_fixed_columns():
    assert tuple(_raw("cloud_offers.csv")[0]) == OFFER_COLUMNS
    assert tuple(_raw("servers.csv")[0]) == SERVER_COLUMNS


def test_offers_prices_terms_and_sources():
    cat = load_catalog()
    assert len(cat.offers) >= 40
    for o in cat.offers.values():
        assert o.gpu.lower() in cat.gpus, o.id
        assert o.source.strip() and _date(o.as_of) <= date(2026, 12, 31), o.id
        od = o.on_demand_per_hour_usd
        for term in PRICE_TERMS:
            v = o.price_per_hour(term)
            assert math.isnan(v) or v > 0, (o.id, term)
            if term != "on_demand" and not math.isnan(v) and not math.isnan(od):
                assert v <= od, (o.id, term, v, od)
        assert math.isnan(o.per_second_usd) or o.per_second_usd > 0
        assert o.gpus_per_instance in (1, 2, 4, 8, 16), o.id


def test_offers_cover_the_providers_and_show_a_spread():
    cat = load_catalog()
    providers = {o.provider for o in cat.offers.values()}
    assert len(providers) >= 8
    for name in HYPERSCALERS | GPU_CLOUDS:
        assert any(p.startswith(name) for p in providers), name
    h100 = [o for o in cat.offers.values() if o.gpu == "H100-SXM" and not math.isnan(o.on_demand_per_hour_usd)]
    per_gpu = [o.on_demand_per_hour_usd / o.gpus_per_instance for o in h100]
    assert len({o.provider for o in h100}) >= 5
    assert max(per_gpu) / min(per_gpu) > 1.5  # hyperscalers vs GPU clouds
    assert any(o.per_second for o in cat.offers.values())
    assert any(not math.isnan(o.commit_1y_per_hour_usd) for o in cat.offers.values())


def test_servers_sources_power_and_one_standard_per_gpu():
    cat = load_catalog()
    standards = Counter(s.gpu for s in cat.servers.values() if s.is_standard)
    assert all(n == 1 for n in standards.values()), standards
    for gpu in ("H100-SXM", "H200", "B200", "MI300X", "L40S", "L4"):
        assert standards[gpu] == 1, gpu
    for s in cat.servers.values():
        assert s.gpu.lower() in cat.gpus, s.id
        assert _date(s.as_of) <= date(2026, 12, 31)
        assert s.gpus_per_server in (1, 2, 4, 8, 10), s.id
        assert not s.typical_kw > s.max_kw
        for v in (s.price_usd, s.typical_kw, s.max_kw, s.support_per_year_usd):
            assert math.isnan(v) or v > 0
    dgx = cat.server("dgx-h100")
    assert dgx.gpus_per_server == 8 and dgx.price_usd > 0 and dgx.max_kw > dgx.typical_kw > 0


def test_a_row_checks_itself():
    good = dict(
        id="x",
        provider="p",
        instance="i",
        region="r",
        gpu="H100-SXM",
        gpus_per_instance=8,
        on_demand_per_hour_usd=10.0,
        spot_per_hour_usd=math.nan,
        commit_1y_per_hour_usd=math.nan,
        commit_3y_per_hour_usd=math.nan,
        per_second_usd=math.nan,
        source="s",
        as_of="2026-01-01",
    )
    CloudOffer(**good)
    with pytest.raises(CostModelError, match="has no price"):
        CloudOffer(**{**good, "on_demand_per_hour_usd": math.nan})
    with pytest.raises(CostModelError, match="as_of"):
        CloudOffer(**{**good, "as_of": "yesterday"})
    srv = dict(
        id="s",
        name="n",
        vendor="v",
        gpu="H100-SXM",
        gpus_per_server=8,
        price_usd=1.0,
        typical_kw=2.0,
        max_kw=1.0,
        support_per_year_usd=math.nan,
        standard="yes",
        price_source="a",
        power_source="b",
        support_source="",
        as_of="2026-01-01",
    )
    with pytest.raises(CostModelError, match="typical_kw exceeds max_kw"):
        Server(**srv)
    with pytest.raises(CostModelError, match="price_source is empty"):
        Server(**{**srv, "max_kw": 3.0, "price_source": ""})


def test_unknown_offer_and_server_ids_name_the_closest():
    cat = load_catalog()
    with pytest.raises(CostModelError, match="cloud_offer.*closest"):
        cat.offer("aws-p5.48xlarge-us-east1")
    with pytest.raises(CostModelError, match=rf"known: .*\({len(cat.offers)} in all\)|closest") as err:
        cat.offer("zzzz")
    assert len(str(err.value)) < 400
    with pytest.raises(CostModelError, match="onprem_server.*closest"):
        cat.server("dgx-h10")
