"""The cheapest plan at the scenario's volume (docs/model.md#layouts): over every valid layout, the one whose
monthly cost at the volume is lowest; checked against a brute force over typed layouts with made-up prices."""

import math

import numpy as np
import pytest
from test_billing import CAT

from costengine import CostModelError, Scenario, compare, monthly_cost

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
