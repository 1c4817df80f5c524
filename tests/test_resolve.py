"""The resolution's stages (costengine.resolve) each callable alone, giving what the whole resolution gives."""

import dataclasses

import numpy as np

from costengine import Scenario, load_catalog
from costengine.engine import scenario_columns
from costengine.resolve import resolve, resolve_api, resolve_cloud, resolve_onprem
from costengine.selfhosted import SharedLayout


def _same(a, b) -> bool:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x.dtype == object:
            assert list(x) == list(y), f.name
        else:
            np.testing.assert_array_equal(x, y, err_msg=f.name)
    return True


def test_each_stage_alone_gives_the_plans_option():
    s = Scenario(model="llama-3.1-8b", cloud_gpu="L40S", onprem_gpu="L40S", seconds_per_request=None)
    cols, cat = scenario_columns(s), load_catalog()
    plan = resolve(cols, cat)
    cloud, shared = resolve_cloud(cols, cat)
    assert isinstance(shared, SharedLayout)
    assert _same(resolve_api(cols), plan.options["api"])
    assert _same(cloud, plan.options["cloud"])
    assert _same(resolve_onprem(cols, cat), plan.options["onprem"])  # searched again
    assert _same(resolve_onprem(cols, cat, shared=shared), plan.options["onprem"])  # taken from the cloud's
