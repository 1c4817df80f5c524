"""`llmcost catalog` and `llmcost addin`: search filters the shipped catalogs; unknown things are one line.

No catalog value is asserted: the expected rows are selected from the catalogs themselves by a plain
filter written here, so a data update cannot break these tests.
"""

import json

from typer.testing import CliRunner

from costengine import SCENARIO_KEYS, load_catalog
from costengine.catalogs import token_price_table
from costengine.price_rules import age_days
from workbook.cli import app

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, ["catalog", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gpus_search_is_a_case_insensitive_filter():
    expected = {g.id for g in load_catalog().gpus.values() if "h100" in f"{g.id} {g.name} {g.vendor}".lower()}
    assert expected  # the catalog has H100s (H100-SXM and H100-PCIe at least)
    assert {r["id"] for r in _json(["gpus", "H100"])} == expected


def test_gpus_without_search_lists_all():
    assert len(_json(["gpus"])) == len(load_catalog().gpus)


def test_models_words_must_all_match():
    expected = {
        m.id
        for m in load_catalog().models.values()
        if all(w in f"{m.id} {m.name} {m.license}".lower() for w in ("llama", "70b"))
    }
    assert {r["id"] for r in _json(["models", "llama", "70b"])} == expected


def test_prices_come_from_the_token_price_table():
    expected = [
        (p.provider, p.model) for p in token_price_table() if "sonnet" in f"{p.provider} {p.model} {p.name}".lower()
    ]
    rows = _json(["prices", "sonnet"])
    assert [(r["provider"], r["model"]) for r in rows] == expected
    assert {"input", "output", "cache_read", "batch_discount"} <= set(rows[0])


def test_keys_lists_every_scenario_key():
    assert [r["key"] for r in _json(["keys"])] == list(SCENARIO_KEYS)


def test_table_is_limited_and_says_so():
    total = len(token_price_table())
    result = runner.invoke(app, ["catalog", "prices", "--limit", "3"])
    assert result.exit_code == 0
    assert f"{total:,} rows from genai-prices" in result.stdout and "showing 3" in result.stdout


def test_table_shows_the_rows_found():
    result = runner.invoke(app, ["catalog", "gpus", "h100"])
    assert result.exit_code == 0
    for gpu in load_catalog().gpus.values():
        assert (gpu.id in result.stdout) == ("h100" in f"{gpu.id} {gpu.name} {gpu.vendor}".lower())


def test_no_match_is_one_line_and_exit_1():
    result = runner.invoke(app, ["catalog", "models", "zzzz-no-such-model"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "zzzz-no-such-model: matches nothing in the models catalog; run `llmcost catalog models` to list it"
    )


def test_unknown_catalog_is_a_usage_error():
    result = runner.invoke(app, ["catalog", "cpus"])
    assert result.exit_code == 2
    assert "gpus" in result.output and "Traceback" not in result.output


def test_addin_prints_the_setup_and_writes_conf_once(tmp_path):
    result = runner.invoke(app, ["addin", "--target", "windows", "--write-conf", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "UDF Modules" in result.stdout and "addin.udfs" in result.stdout
    conf = tmp_path / "xlwings.conf"
    before = conf.read_bytes()
    assert b'"UDF MODULES","addin.udfs"' in before
    again = runner.invoke(app, ["addin", "--write-conf", str(tmp_path)])
    assert again.exit_code == 1 and "exists" in again.stderr
    assert conf.read_bytes() == before


def test_stale_lists_a_gpu_whose_purchase_or_cloud_price_is_undated_or_old():
    """Made-up rows: ages in days before the catalog's date (NaN = undated); a blank price has no age to show."""
    from workbook.cli.catalog_view import stale

    nan = float("nan")

    def gpu(id, price, age, cloud, cloud_age):
        return {
            "id": id,
            "price_usd": price,
            "price_age_days": age,
            "cloud_price_per_hour_usd": cloud,
            "cloud_price_age_days": cloud_age,
        }

    rows = [
        gpu("fresh", 1000.0, 10.0, 1.0, 20.0),
        gpu("old-purchase", 1000.0, 181.0, 1.0, 20.0),
        gpu("undated-cloud", 1000.0, 10.0, 1.0, nan),
        gpu("unpriced", nan, nan, nan, nan),
        gpu("exactly-180", 1000.0, 180.0, nan, nan),
    ]
    assert [r["id"] for r in stale("gpus", rows)] == ["old-purchase", "undated-cloud"]


def test_catalog_gpus_stale_selects_from_the_shipped_rows():
    stale_days = 180
    expected = set()
    for g in load_catalog().gpus.values():
        for price, day in ((g.price_usd, g.price_date), (g.cloud_price_per_hour_usd, g.cloud_price_date)):
            if price > 0 and (not day or age_days(day) > stale_days):
                expected.add(g.id)
    assert {r["id"] for r in _json(["gpus", "--stale"])} == expected
