"""The cheapest plan at the scenario's volume (docs/model.md#layouts): over every valid layout, the one whose
monthly cost at the volume is lowest; checked against a brute force over typed layouts with made-up prices."""

import math

import numpy as np
import pytest
from test_billing import CAT

from costengine import CostModelError, Scenario, compare, monthly_cost, plan_for
from costengine.plan import replicas_at
from costengine.sizing import replica_throughput

# a 70B model in fp8 on H100: 1 GPU cannot hold it with 20% headroom; 2, 4 and 8 can
BASE = dict(
    model="llama-3.3-70b",
    precision="fp8",
    prompt_tokens=1000,
    output_tokens=300,
    cloud_gpu="H100-SXM",
    onprem_gpu="H100-SXM",
    staff_monthly=0,
    cloud_monthly_overhead=0,
)


def _brute(s: Scenario, option: str, key: str) -> float:
    """min over GPUs per replica t of the plan with t typed (taken as given), among the t the layout rule allows:
    t divides the attention heads, fits a node and holds weights x memory_overhead (here: t >= 2)."""
    best = math.inf
    for t in (2, 4, 8):
        try:
            best = min(best, monthly_cost(s.replace(**{key: t}), option, catalog=CAT))
        except CostModelError:
            continue  # no batch meets the targets with t GPUs
    return best


def test_a_pilot_volume_picks_a_smaller_layout_than_a_large_volume():
    pilot = Scenario(**BASE, requests_per_month=1e4, min_replicas=1, cloud_price_per_gpu_hour=3.0)
    large = pilot.replace(requests_per_month=1e8)
    small_n = compare(pilot, catalog=CAT).loc["cloud", "gpus_per_replica"]
    large_n = compare(large, catalog=CAT).loc["cloud", "gpus_per_replica"]
    assert small_n < large_n


@pytest.mark.parametrize("seed", range(4))
def test_the_plan_equals_a_brute_force_over_layouts_and_replicas_at_random_volumes(seed):
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(50):  # 4 x 50 = 200 volumes
        s = Scenario(
            **BASE,
            requests_per_month=float(10 ** rng.uniform(3, 9)),
            min_replicas=int(rng.integers(0, 4)),
            redundancy=str(rng.choice(["unit", "replica"])),
            peak_to_average=float(rng.uniform(1, 3)),
            cloud_billing=str(rng.choice(["always_on", "per_second"])),
            cloud_price_per_gpu_hour=None if rng.random() < 0.5 else float(rng.uniform(1, 6)),
            max_tpot_ms=float(rng.choice([40.0, 80.0, 0.0])),
        )
        for option, key in (("cloud", "cloud_gpus_per_replica"), ("onprem", "onprem_gpus_per_replica")):
            want = _brute(s, option, key)
            got = monthly_cost(s, option, catalog=CAT)
            assert got == pytest.approx(want, rel=1e-12), (seed, option, s.requests_per_month)
            checked += 1
    assert checked == 100


def _alone(n_gpus: float, batch: float) -> dict:
    """The serving estimate of the plan's replica at ``batch`` (costengine.sizing, catalog rows)."""
    return replica_throughput(
        CAT.model("llama-3.3-70b"),
        CAT.gpu("H100-SXM"),
        n_gpus=n_gpus,
        precision="fp8",
        prompt_tokens=1000,
        output_tokens=300,
        batch=batch,
    )


def test_a_replica_at_one_request_a_minute_serves_each_request_alone():
    s = Scenario(**BASE, requests_per_month=730 * 60, min_replicas=1, peak_to_average=1.0, cloud_price_per_gpu_hour=3)
    row = compare(s, catalog=CAT).loc["cloud"]
    assert row["batch"] == 1 and row["max_batch"] > 1
    assert row["tpot_ms"] == pytest.approx(_alone(row["gpus_per_replica"], 1)["tpot_ms"], rel=1e-12)


@pytest.mark.parametrize("volume", [1e4, 1e6, 3e7, 1e8])
def test_the_batch_is_the_concurrency_the_traffic_brings(volume):
    # Little's law: the smallest batch whose requests/s reach the peak arrivals per replica
    s = Scenario(**BASE, requests_per_month=volume, min_replicas=1, cloud_price_per_gpu_hour=3.0)
    p = plan_for(s, CAT).options["cloud"]
    b, top, n = float(p.batch[0]), float(p.max_batch[0]), float(p.gpus_per_replica[0])
    reps = float(replicas_at(p, np.array([s.peak_to_average]), volume)[0])
    lam = volume * s.peak_to_average / (s.hours_per_month * 3600) / reps
    assert 1 <= b <= top
    assert _alone(n, b)["requests_per_s"] >= lam * (1 - 1e-12)
    assert b == 1 or _alone(n, b - 1)["requests_per_s"] < lam
