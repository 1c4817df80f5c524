"""Layouts engines run and latency targets (docs/model.md#layouts), through the cost
engine: every catalog model on every GPU gets a tensor-parallel size the heads allow, targets are met by what
is reported, tighter targets never raise throughput, errors name the key."""

import math

import numpy as np
import pandas as pd
import pytest

from costengine import CostModelError, Scenario, breakeven, compare, load_catalog, monthly_cost, plan_for, sweep
from costengine.serving import TP_SIZES

CAT = load_catalog()
NO_TARGETS = dict(max_tpot_ms="none", max_ttft_s="none")


def _layout(s: Scenario, option: str = "cloud"):
    o = plan_for(s).options[option]
    return float(o.gpus_per_replica[0]), float(o.tp[0]), float(o.pp[0])


@pytest.mark.parametrize("precision", ["bf16", "fp8"])
def test_every_model_on_every_gpu_gets_a_layout_engines_run(precision):
    checked = 0
    for model in CAT.models.values():
        for gpu in CAT.gpus.values():
            s = Scenario(
                model=model.id,
                precision=precision,
                cloud_gpu=gpu.id,
                cloud_price_per_gpu_hour=1.0,
                prompt_tokens=1000,
                output_tokens=500,
                **NO_TARGETS,
            )
            try:
                n, tp, pp = _layout(s)
            except CostModelError as exc:  # only a model no 8-GPU node can hold may fail, and it says why
                assert exc.key in ("cloud_gpu", "prompt_tokens"), str(exc)
                continue
            checked += 1
            assert tp in TP_SIZES and model.attention_heads % tp == 0, (model.id, gpu.id, tp)
            assert n == tp * pp
            assert pp == 1 or tp == 8 or model.attention_heads % (2 * tp) != 0, (model.id, gpu.id, n, tp, pp)
            assert n in (1, 2, 4, 8) or n % 8 == 0, (model.id, gpu.id, n)  # whole nodes beyond one
    assert checked >= 0.9 * len(CAT.models) * len(CAT.gpus)


def test_default_70b_bf16_on_h100_is_four_or_eight_gpus():
    s = Scenario(model="llama-3.3-70b", precision="bf16", cloud_gpu="H100-SXM", onprem_gpu="H100-SXM")
    for option in ("cloud", "onprem"):
        assert _layout(s, option)[0] in (4, 8)


@pytest.mark.parametrize(
    "model, gpu, tpot, ttft",
    [
        ("llama-3.3-70b", "H100-SXM", 40, 0.45),
        ("llama-3.1-8b", "L40S", 30, 0.3),
        ("mixtral-8x7b", "H200", 25, 1),
        ("gpt-oss-120b", "H100-SXM", 20, 0.5),
        ("qwen2.5-72b", "B200", 15, 0.4),
        ("llama-3.1-405b", "H200", 80, 2),
    ],
)
def test_reported_latencies_meet_the_targets(model, gpu, tpot, ttft):
    s = Scenario(model=model, cloud_gpu=gpu, onprem_gpu=gpu, max_tpot_ms=tpot, max_ttft_s=ttft)
    table = compare(s)
    for option in ("cloud", "onprem"):
        assert table.loc[option, "tpot_ms"] <= tpot * (1 + 1e-12)
        assert table.loc[option, "ttft_s"] <= ttft * (1 + 1e-12)
        assert table.loc[option, "batch"] >= 1


@pytest.mark.parametrize("model", ["llama-3.3-70b", "llama-3.1-8b", "mixtral-8x7b", "qwen2.5-32b"])
def test_a_tighter_target_never_raises_throughput(model):
    rps = []
    for tpot in (200, 80, 40, 25):
        s = Scenario(model=model, cloud_gpu="H100-SXM", max_tpot_ms=tpot, max_ttft_s="none")
        o = plan_for(s).options["cloud"]
        rps.append(1.0 / float(o.seconds_per_request[0]) / float(o.gpus_per_replica[0]))  # per GPU
    assert all(b <= a * (1 + 1e-12) for a, b in zip(rps, rps[1:])), rps


def test_tp4_per_gpu_throughput_not_above_tp2_for_70b():
    per_gpu = {}
    for n in (2, 4):
        s = Scenario(
            model="llama-3.3-70b",
            precision="fp8",
            cloud_gpu="H100-SXM",
            cloud_gpus_per_replica=n,
            cloud_price_per_gpu_hour=1.0,
            **NO_TARGETS,
        )
        per_gpu[n] = 1.0 / float(plan_for(s).options["cloud"].seconds_per_request[0]) / n
    assert per_gpu[4] <= per_gpu[2]


def _raised(s: Scenario) -> CostModelError:
    """The error of a one-row sweep that raises (errors="raise": the key that decides, as before marking)."""
    with pytest.raises(CostModelError) as err:
        sweep(pd.DataFrame([s.model_dump(exclude_none=True)]), errors="raise")
    return err.value


def test_unreachable_target_names_the_key_and_the_best_reachable():
    s = Scenario(model="llama-3.3-70b", cloud_gpu="L4", max_tpot_ms=5)
    with pytest.raises(CostModelError) as err:  # the cloud is not feasible; the others stand
        monthly_cost(s, "cloud")
    msg = str(err.value)
    assert msg.startswith("not feasible: cloud: no cloud layout on L4") and "best reachable is TPOT" in msg
    assert "\n" not in msg
    err = _raised(s)
    assert err.key == "max_tpot_ms" and "best reachable is TPOT" in str(err)


def test_context_overflow_names_prompt_tokens():
    s = Scenario(model="llama-2-7b", prompt_tokens=4000, output_tokens=500)  # Llama 2: 4,096 tokens
    with pytest.raises(CostModelError, match="^not feasible: cloud: prompt_tokens .* exceeds the context window"):
        monthly_cost(s, "cloud")
    err = _raised(s)
    assert err.key == "prompt_tokens" and "context window" in str(err)


def test_typed_count_that_tp_cannot_split_runs_as_pipeline_stages():
    s = Scenario(
        model="llama-3.3-70b",
        precision="fp8",
        cloud_gpu="H100-SXM",
        cloud_gpus_per_replica=3,
        cloud_price_per_gpu_hour=1.0,
        **NO_TARGETS,
    )
    assert _layout(s) == (3.0, 1.0, 3.0)


def test_replicas_may_share_a_node_two_tp2_over_one_tp4():
    # a 70B model in fp8 fits two GPUs: on an 8-GPU node four TP2 replicas beat two TP4 per GPU
    s = Scenario(model="llama-3.3-70b", precision="fp8", cloud_gpu="H100-SXM", **NO_TARGETS)
    n, tp, _ = _layout(s)
    o = plan_for(s).options["cloud"]
    assert n == 2 and float(o.replicas_per_unit[0]) == 4.0


def test_sweep_equals_the_scalar_functions_with_targets():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(40):
        rows.append(
            dict(
                model=str(rng.choice(["llama-3.1-8b", "llama-3.3-70b", "mixtral-8x7b", "gpt-oss-20b"])),
                cloud_gpu=str(rng.choice(["H100-SXM", "H200", "B200"])),
                onprem_gpu=str(rng.choice(["H100-SXM", "H200", "MI300X"])),
                max_tpot_ms=float(rng.uniform(40, 150)),
                max_ttft_s=float(rng.uniform(1, 5)),
                prompt_tokens=float(rng.integers(200, 3000)),
                output_tokens=float(rng.integers(50, 800)),
                requests_per_month=float(10 ** rng.uniform(5, 8)),
                cloud_billing=str(rng.choice(["always_on", "per_second"])),
                min_replicas=int(rng.integers(0, 3)),
            )
        )
    out = sweep(pd.DataFrame(rows))
    feasible_rows = 0
    for i, r in enumerate(rows):
        s = Scenario(**r)
        status = compare(s)["status"]
        for option in ("api", "cloud", "onprem"):
            if status[option] != "ok":  # e.g. no serverless offer passes the blank-choice rule: NaN and its reason
                assert math.isnan(out[f"{option}_monthly_cost"].iloc[i]) and option in out["problems"].iloc[i]
                continue
            assert out[f"{option}_monthly_cost"].iloc[i] == pytest.approx(monthly_cost(s, option), rel=1e-9)
        got = out["breakeven_cloud_onprem"].iloc[i]
        if status["cloud"] != "ok" or status["onprem"] != "ok":
            assert math.isnan(got)
            continue
        feasible_rows += 1
        want = breakeven(s, "cloud", "onprem")
        assert (want is None and math.isnan(got)) or got == pytest.approx(want, rel=1e-9)
    assert feasible_rows >= 20
