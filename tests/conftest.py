"""Shared fixtures: scenarios with made-up prices, so the arithmetic tests never depend on catalog updates."""

import pytest

from costengine import Scenario

#: Every price and derived input given explicitly (made-up numbers, no catalog lookup needed for costs).
#: Issue 20's serverless pilot (its "Why" 1): an 8B model on per-second H100s at 50,000 requests a month.
SERVERLESS_PILOT = dict(
    requests_per_month=50_000,
    prompt_tokens=800,
    output_tokens=400,
    model="llama-3.1-8b",
    min_replicas=0,
    cloud_gpu="H100-SXM",
    cloud_billing="per_second",
    staff_monthly=0,
    cloud_monthly_overhead=0,
)
MADE_UP = dict(
    requests_per_month=2_000_000,
    prompt_tokens=800,
    output_tokens=400,
    peak_to_average=1.5,
    api_input_price_per_mtok=3.0,
    api_output_price_per_mtok=12.0,
    api_cached_input_price_per_mtok=0.3,
    api_cached_input_share=0.25,
    api_batch_share=0.2,
    api_batch_discount=0.5,
    api_monthly_fixed=100.0,
    seconds_per_request=1.5,
    target_utilization=0.6,
    min_replicas=2,
    hours_per_month=730,
    staff_monthly=3000,
    cloud_price_per_gpu_hour=2.5,
    cloud_gpus_per_replica=2,
    cloud_billing="reserved",
    cloud_monthly_overhead=400,
    onprem_gpus_per_server=2,
    onprem_capex_per_server=80_000,
    onprem_amortization_months=36,
    onprem_interest_rate=0.0,
    onprem_maintenance_monthly=500,
    onprem_power_kw=2.0,
    onprem_pue=1.4,
    onprem_price_per_kwh=0.2,
)


@pytest.fixture
def made_up() -> Scenario:
    return Scenario(**MADE_UP)


def pytest_sessionstart(session):
    """In CI (LLMCOST_REQUIRE_LIBREOFFICE=1) LibreOffice must be there: its tests may not skip."""
    import os
    import shutil

    if os.environ.get("LLMCOST_REQUIRE_LIBREOFFICE") == "1" and shutil.which("soffice") is None:
        raise pytest.UsageError(
            "LLMCOST_REQUIRE_LIBREOFFICE=1 but soffice is not on PATH: install libreoffice-calc-nogui (see .ci/run)"
        )


@pytest.fixture(scope="session")
def recalculated_books(tmp_path_factory):
    """Every workbook of tests/recalc_cases.py recalculated by LibreOffice, in one soffice run per session."""
    from recalc_cases import recalculate_all

    return recalculate_all(tmp_path_factory)


@pytest.fixture(scope="session")
def user_row_books(tmp_path_factory):
    """The workbooks with the user's own catalog rows (tests/user_rows_cases.py), recalculated in the same soffice
    run as ``recalculated_books``: name -> (values, the file as typed)."""
    from recalc_cases import user_row_books

    return user_row_books(tmp_path_factory)


def pytest_terminal_summary(terminalreporter):
    """How many workbooks took LibreOffice's values from tests/data/recalc_store and how many were recalculated."""
    import sys

    store = sys.modules.get("recalc_store")
    if store is None or not any(store.COUNTS.values()):
        return
    c = store.COUNTS
    line = (
        f"LibreOffice values: {c['stored']} workbook(s) from tests/data/recalc_store, {c['recalculated']} recalculated"
    )
    if c["recalculated"]:
        line += " (their entries were written: commit tests/data/recalc_store)"
    terminalreporter.write_line(line)
