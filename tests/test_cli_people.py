"""The command line for people: money never cut at 80-110 columns, flags without ``<bool>`` in ``--help``,
numbers typed as a finance user writes them, ``llmcost catalog profiles`` and footers that are true for an
installed wheel ("1 row", packaged files)."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from costengine.acceptance import finance_number
from costengine.profiles import load_profiles
from workbook.cli import app
from workbook.cli import options as cli_options
from workbook.cli.catalog_view import VIEWS, search, shipped_file
from workbook.cli.fit import ENG, KEY, MONEY, Col, plural, print_fitted

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
WIDTHS = (80, 90, 100, 110)
COMMANDS = ("template", "batch", "compare", "evaluate", "refresh", "catalog", "calibrate", "addin")


@pytest.fixture
def width(monkeypatch, request):
    """The CLI's output console at ``request.param`` columns (what COLUMNS=N gives a real run)."""
    monkeypatch.setattr(cli_options.out, "width", request.param)
    return request.param


def _json(args: list[str]):
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _table(args: list[str], width: int) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width, result.stdout
    assert "…" not in result.stdout  # rich's mark of a cut cell
    return result.stdout


def _cells(text: str) -> set[str]:
    """The figures of a table's cells (between box characters and runs of spaces)."""
    return {c.strip() for line in text.splitlines() for c in re.split(r"[│┃]| {2,}", line) if c.strip()}


# --- 1. money never cut ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
@pytest.mark.parametrize("volume", ["1e6", "1.2B"])
def test_compare_prints_every_money_figure_whole(width, volume):
    args = ["compare", "--requests", volume]
    text = _table(args, width)
    cells = _cells(text)
    for rec in _json(args):
        for figure in (
            f"{rec['monthly_cost']:,.2f}",
            f"{rec['cost_per_request']:,.6f}",
            f"{rec['cost_per_mtok']:,.3f}",
        ):
            assert figure in cells, (figure, text)
    if width == 80:  # the engineering columns go first, and the footer says so
        assert "not shown at 80 columns: " in text and "--format json" in text
        assert "TPOT ms" in text.split("not shown at 80 columns: ")[1]


def test_compare_at_a_wide_terminal_drops_nothing(monkeypatch):
    monkeypatch.setattr(cli_options.out, "width", 160)
    text = _table(["compare"], 160)
    assert "not shown" not in text
    assert "TPOT" in text and "GPUs/replica" in text


def test_compare_tolerates_extra_columns(monkeypatch):
    """Other columns of compare() (status, notes, new ones) do not break the table."""
    import costengine
    from workbook.cli import report

    real = costengine.compare

    def more(*a, **k):
        df = real(*a, **k)
        df["some_new_column"] = 1.0
        return df

    monkeypatch.setattr(report, "compare", more)
    monkeypatch.setattr(cli_options.out, "width", 80)
    assert "USD/month" in _table(["compare"], 80)


SETS = ["--set", "growth_rate_monthly=0.08", "--set", "horizon_months=36"]


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
def test_decision_tables_print_money_whole(width):
    args = ["compare", *SETS, "--projection", "--hybrid", "--sensitivity"]
    text = _table(args, width)
    cells = _cells(text)
    doc = _json(args)
    last = doc["projection"]["months"][-1]
    for field in ("api", "cloud", "onprem_cash", "cumulative_api", "cumulative_cloud", "cumulative_onprem_cash"):
        assert f"{last[field]:,.0f}" in cells, (field, text)
    for option in ("cloud", "onprem"):
        h = doc["hybrid"][option]
        for field in ("monthly_cost", "api_only", "self_hosted_only"):
            assert f"{h[field]:,.2f}" in cells, (option, field)
    for row in doc["sensitivity"][:3]:
        for o in ("api", "cloud", "onprem", "hybrid_cloud", "hybrid_onprem"):
            assert f"{row[f'{o}_change_low']:+,.0f} / {row[f'{o}_change_high']:+,.0f}" in cells


def test_real_run_with_columns_80_cuts_no_money(tmp_path):
    env = {**os.environ, "COLUMNS": "80"}
    exe = [sys.executable, "-m", "workbook.cli.commands", "compare", "--requests", "25M"]
    run = subprocess.run(exe, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert max(len(line) for line in run.stdout.splitlines()) <= 80
    assert "…" not in run.stdout and "not shown at 80 columns" in run.stdout


def test_too_wide_for_any_drop_is_printed_in_parts():
    console = Console(width=40, record=True, file=open(os.devnull, "w"))
    cols = [Col("month", KEY), *(Col(f"cost {k}", MONEY) for k in range(6)), Col("GPUs", ENG, drop=1)]
    rows = [[str(m), *(f"{1_234_567.5 * (k + 1):,.2f}" for k in range(6)), "8"] for m in range(3)]
    dropped = print_fitted(console, cols, rows, "title")
    text = console.export_text()
    assert dropped == [] and "(continued)" in text and "…" not in text
    for r in rows:
        assert all(figure in text for figure in r[1:])
    assert max(len(line) for line in text.splitlines()) <= 40


def test_a_table_that_fits_loses_nothing():
    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    cols = [Col("a", KEY), Col("b", MONEY), Col("c", ENG, drop=1)]
    assert print_fitted(console, cols, [["x", "1.00", "2"]]) == []
    assert "not shown" not in console.export_text()


@pytest.mark.parametrize("width", WIDTHS, indirect=True)
@pytest.mark.parametrize("kind", ["prices", "offers", "gpus", "servers"])
def test_catalog_prices_whole(width, kind):
    from workbook.cli.catalog_view import _cell

    text = _table(["catalog", kind, "-n", "8"], width)
    cells = _cells(text)
    for row in search(kind)[:8]:
        for field in VIEWS[kind].money:
            assert _cell(row.get(field)) in cells, (kind, field, row.get(field))


# --- 2. --help without <bool> ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [*COMMANDS, None])
def test_help_shows_flags_without_a_type(command):
    result = runner.invoke(app, [command, "--help"] if command else ["--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout and "BOOLEAN" not in result.stdout
    assert "--help" in result.stdout


def test_help_keeps_the_types_of_options_with_values():
    text = runner.invoke(app, ["compare", "--help"], env={"COLUMNS": "100"}).stdout
    assert re.search(r"--projection\s+Also", text)  # nothing between the flag and its help
    assert "KEY=VALUE" in text and "table|json" in text


# --- 3. numbers as a finance user writes them ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number",
    [
        ("10M", 10e6),
        ("2.5k", 2500.0),
        ("10,000,000", 1e7),
        ("1.2B", 1.2e9),
        ("3 bn", 3e9),
        ("7mm", 7e6),
        ("1,234.5", 1234.5),
        ("-2k", -2000.0),
        ("5e6", 5e6),
        (".5", 0.5),
        ("0.1k", 100.0),
    ],
)
def test_finance_numbers(text, number):
    assert finance_number(text) == number


@pytest.mark.parametrize("text", ["10Q", "1,5", "1,00,000", "1e3k", "k", "", "5%", "1_000", "ten", "1.2.3"])
def test_not_finance_numbers(text):
    assert finance_number(text) is None


def test_the_engine_rule_for_typed_text_is_unchanged():
    """The workbook's Inputs sheet reads typed text as the engine does: no suffixes, no thousands commas."""
    from costengine import CostModelError, Scenario

    with pytest.raises(CostModelError, match="requests_per_month"):
        Scenario.parse({"requests_per_month": "10M"})


@pytest.mark.parametrize("typed", ["10M", "10m", "10,000,000", "10000k", "1e7", "0.01B"])
def test_set_and_requests_read_finance_numbers(typed):
    plain = _json(["compare", "--set", "requests_per_month=10000000"])
    assert _json(["compare", "--set", f"requests_per_month={typed}"]) == plain
    assert _json(["compare", "--requests", typed]) == _json(["compare", "--requests", "10000000"])


def test_set_reads_other_number_keys_too():
    assert _json(["compare", "--set", "prompt_tokens=2.5k"]) == _json(["compare", "--set", "prompt_tokens=2500"])


@pytest.mark.parametrize(
    "args, line",
    [
        (
            ["--set", "requests_per_month=10Q"],
            "requests_per_month: cannot read '10Q' as a number (e.g. 10M, 2.5k, 10,000,000)",
        ),
        (["--requests", "10Q"], "--requests: cannot read '10Q' as a number (e.g. 10M, 2.5k, 10,000,000)"),
        (["--set", "prompt_tokens=1,5"], "prompt_tokens: cannot read '1,5' as a number (e.g. 10M, 2.5k, 10,000,000)"),
    ],
)
def test_unreadable_numbers_name_the_key(args, line):
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == 1
    assert result.stderr.strip() == line


def test_a_latency_target_can_still_be_none():
    assert runner.invoke(app, ["compare", "--set", "max_ttft_s=none", "--format", "json"]).exit_code == 0


# --- 4. catalog profiles ------------------------------------------------------------------------------------------


def test_catalog_profiles_lists_every_profile_with_its_source(monkeypatch):
    monkeypatch.setattr(cli_options.out, "width", 200)
    result = runner.invoke(app, ["catalog", "profiles", "--limit", "0"])
    assert result.exit_code == 0
    profiles = load_profiles()
    for p in profiles.values():
        assert p.id in result.stdout
        assert p.source.split()[0] in result.stdout
    assert f"{plural(len(profiles), 'row')} from costengine.data/load_profiles.csv" in result.stdout


def test_catalog_profiles_search_and_json():
    first = next(iter(load_profiles().values()))
    rows = _json(["catalog", "profiles", first.id])
    assert [r["id"] for r in rows if r["id"] == first.id] == [first.id]
    assert rows[0]["source"] and len([k for k in rows[0] if re.fullmatch(r"h\d\d", k)]) == 24
    assert rows[0]["peak_to_average"] >= 1.0
    result = runner.invoke(app, ["catalog", "profiles", "no-such-profile-xyz"])
    assert result.exit_code == 1 and "matches nothing in the profiles catalog" in result.stderr


# --- 5. footers true for a wheel install ------------------------------------------------------------------------------


def _package_data_patterns() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-data"]["costengine.data"]


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_footers_name_only_shipped_files(kind):
    footer = VIEWS[kind].source()
    assert "templates/" not in footer and "docs/" not in footer
    name = shipped_file(footer)
    if name is None:
        return
    assert resources.files("costengine.data").joinpath(name).is_file()
    assert any(fnmatch.fnmatch(name, pattern) for pattern in _package_data_patterns()), name


def test_one_row_is_a_row(monkeypatch):
    monkeypatch.setattr(cli_options.out, "width", 200)
    gpu = search("gpus")[0]["id"]
    matches = search("gpus", [gpu])
    result = runner.invoke(app, ["catalog", "gpus", gpu])
    assert f"{plural(len(matches), 'row')} from" in result.stdout
    assert "1 rows" not in result.stdout


def test_plural():
    assert [plural(n, "row") for n in (0, 1, 2, 1000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]


def test_docs_show_the_real_number_errors():
    """The finance-number errors in docs/cli.md are the CLI's own lines (they need no catalog)."""
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for args in (["--requests", "10Q"], ["--set", "requests_per_month=10Q"]):
        result = runner.invoke(app, ["compare", *args])
        assert f"$ llmcost compare {' '.join(args)}\n  {result.stderr.strip()}\n" in doc
