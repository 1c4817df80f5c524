"""`llmcost batch` and `llmcost template`: files written, bad rows reported and skipped, nothing overwritten
without --force, safe names, workbooks identical to the builder's, and a killed batch leaves no half file.
"""

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario, sweep
from workbook.builder import workbook_bytes
from workbook.cli import app, batch
from workbook.xlsx.reader import read_inputs
from workbook.xlsx.template_cache import TemplateCache

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, rows: list[dict]) -> Path:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path


def summary(out: Path, name: str = "summary.csv") -> list[dict]:
    with (out / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def snapshot(folder: Path) -> dict:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


GOOD = {**MADE_UP, "name": "made-up"}


def test_bad_rows_are_reported_and_skipped_good_rows_written(tmp_path):
    rows = [
        GOOD,
        {**MADE_UP, "name": "negative", "prompt_tokens": -1},
        {**MADE_UP, "name": "typo-gpu", "cloud_gpu": "H1OO", "cloud_price_per_gpu_hour": "", "seconds_per_request": ""},
        {**MADE_UP, "name": "bigger", "requests_per_month": 1e7},
    ]
    src = write_csv(tmp_path / "s.csv", rows)
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(src), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["bigger.xlsx", "made-up.xlsx", "summary.csv", "summary_raw.csv"]
    errors = result.stderr.strip().splitlines()
    assert errors[0] == "row 2 (line 3, 'negative'): prompt_tokens: must be >= 0 (got -1)"
    assert errors[1].startswith("row 3 (line 4, 'typo-gpu'): cloud_gpu: unknown GPU 'H1OO'")
    assert "wrote 2 of 4 workbooks" in result.stdout
    got = summary(out)
    assert [r["status"] for r in got] == ["ok", "error", "error", "ok"]
    assert [r["row"] for r in got] == ["1", "2", "3", "4"] and [r["line"] for r in got] == ["2", "3", "4", "5"]
    assert got[1]["errors"].startswith("prompt_tokens:") and got[1]["api_monthly_cost"] == ""
    # worked by hand in test_cli_compare: 12,088 / 14,350 / 12,393.07 at 2e6; 60,040 / 58,150 / 49,965.33 at 1e7
    assert float(got[0]["api_monthly_cost"]) == pytest.approx(12_088.0)
    assert float(got[0]["onprem_monthly_cost"]) == pytest.approx(12_393.0667, rel=1e-6)
    assert got[0]["cheapest_option"] == "api" and got[3]["cheapest_option"] == "onprem"
    assert float(got[3]["cloud_monthly_cost"]) == pytest.approx(58_150.0)


def test_summary_agrees_with_the_vectorised_sweep(tmp_path):
    rows = [
        {**MADE_UP, "name": f"r{i}", "requests_per_month": v, "cloud_billing": b}
        for i, (v, b) in enumerate([(1e4, "reserved"), (3e6, "per_second"), (4e7, "reserved")])
    ]
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(write_csv(tmp_path / "s.csv", rows)), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    expected = sweep(pd.DataFrame(rows))
    rounded = summary(out)
    for got, (_, exp) in zip(summary(out, "summary_raw.csv"), expected.iterrows()):
        for col in ("api_monthly_cost", "cloud_monthly_cost", "onprem_monthly_cost"):
            assert float(got[col]) == pytest.approx(exp[col], rel=1e-12)
        assert got["cheapest_option"] == exp["cheapest"]
        for col in ("breakeven_api_cloud", "breakeven_api_onprem", "breakeven_cloud_onprem"):
            if pd.isna(exp[col]):
                assert got[col] == "none"
            else:
                assert float(got[col]) == pytest.approx(exp[col], rel=1e-12)
    assert [r["name"] for r in rounded] == ["r0", "r1", "r2"]
    assert any(r[c] == "none" for r in rounded for c in r if c.startswith("breakeven_"))


def test_yaml_scenarios_and_the_example_files_agree(tmp_path):
    examples = Path(__file__).resolve().parents[1] / "templates" / "examples"
    from workbook.cli.scenario_files import iter_rows

    from_csv = [(r.name, Scenario.parse(r.values)) for r in iter_rows(examples / "scenarios.csv")]
    from_yaml = [(r.name, Scenario.parse(r.values)) for r in iter_rows(examples / "scenarios.yaml")]
    assert 3 <= len(from_csv) <= 6 and from_csv == from_yaml
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(examples / "scenarios.yaml"), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in out.glob("*.xlsx")) == sorted(name for name, _ in from_csv)


def test_workbooks_are_the_builders_and_read_back(tmp_path):
    # five rows with one job: the template cache is used (CACHE_MIN_PER_JOB = 4); its files must be
    # byte-identical to the builder's own, and evaluate must read each scenario back
    rows = [
        GOOD,
        {"name": "defaults"},
        {
            **MADE_UP,
            "name": "eur",
            "currency": "EUR",
            "usd_to_currency": 0.9,
            "model": "llama-3.1-8b",
            "precision": "int4",
        },
        {
            "name": "blanks",
            "cloud_billing": "per_second",
            "cloud_gpu": "L4",
            "requests_per_month": 5,
            "model": "llama-3.1-8b",
        },
        {"name": "text", "api_model": "gpt-4o-mini", "onprem_gpu": "MI300X"},
    ]
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(write_csv(tmp_path / "s.csv", rows)), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    built = batch._template_cache.cache_info().currsize == 1  # this process's cache, built by the batch
    assert built and batch._template_cache().fast and batch._template_cache().full_builds == 0
    for row in rows:
        values = {k: v for k, v in row.items() if k != "name"}
        s = Scenario.parse(values)
        path = out / f"{row['name']}.xlsx"
        assert path.read_bytes() == workbook_bytes(s), row["name"]
        assert Scenario.parse(read_inputs(path).values) == s


def test_template_cache_matches_the_builder_for_varied_scenarios():
    cache = (
        batch._template_cache() if batch._template_cache.cache_info().currsize else TemplateCache()
    )  # the batch tests' cache when they ran first
    assert cache.fast  # the start-up probe agreed byte for byte
    for s in (
        Scenario(),
        Scenario(**MADE_UP),
        Scenario(
            precision="int4",
            cloud_billing="per_second",
            currency="JPY",
            usd_to_currency=150,
            api_model="claude-sonnet-4-5",
        ),
    ):
        assert cache.workbook_bytes(s) == workbook_bytes(s)
    assert cache.full_builds == 0


def test_nothing_is_overwritten_without_force(tmp_path):
    src = write_csv(tmp_path / "s.csv", [GOOD])
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1"]).exit_code == 0
    before = snapshot(out)
    again = runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert again.exit_code == 1
    assert again.stderr.strip() == f"{out / 'summary.csv'}: exists; use --force to overwrite (workbooks too)"
    assert snapshot(out) == before
    # a workbook already there (no summary): that row fails, the file is left alone
    (out / "summary.csv").unlink()
    again = runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert again.exit_code == 1
    assert again.stderr.strip() == f"{out / 'summary_raw.csv'}: exists; use --force to overwrite (workbooks too)"
    (out / "summary_raw.csv").unlink()
    kept = (out / "made-up.xlsx").read_bytes()
    third = runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert third.exit_code == 1 and "made-up.xlsx: exists; use --force to overwrite" in third.stderr
    assert (out / "made-up.xlsx").read_bytes() == kept
    forced = runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1", "--force"])
    assert forced.exit_code == 0 and summary(out)[0]["status"] == "ok"


def test_unsafe_and_duplicate_names_are_made_safe(tmp_path):
    names = ["a", "A", "../../evil", "CON", "", "a", "x/y\\z:*?", "." * 5]
    src = write_csv(tmp_path / "s.csv", [{"name": n, "requests_per_month": 1000} for n in names])
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(src), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    files = [r["file"] for r in summary(out)]
    assert files == [
        "a.xlsx",
        "A-2.xlsx",
        "evil.xlsx",
        "CON_.xlsx",
        "scenario-5.xlsx",
        "a-3.xlsx",
        "x-y-z.xlsx",
        "scenario-8.xlsx",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.csv"]  # nothing escaped DIR
    assert len({f.lower() for f in files}) == len(files)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Plan B (2025)", "Plan-B-2025"),
        ("..hidden", "hidden"),
        ("a..b", "a.b"),
        ("lpt1.txt", "lpt1.txt_"),
        ("é-ü", "é-ü"),
        ("\x00\x1f", "scenario-3"),
        ("x" * 100, "x" * 80),
    ],
)
def test_safe_name(raw, expected):
    assert batch.safe_name(raw, 3) == expected


def test_malformed_file_writes_nothing(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text("name,requets_per_month\na,1\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"{src} line 1: column 'requets_per_month' is not a scenario key; did you mean requests_per_month?"
    )
    assert not out.exists()


def test_empty_file_and_bad_jobs(tmp_path):
    src = tmp_path / "s.yaml"
    src.write_text("[]\n")
    result = runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.stderr.strip() == f"{src}: holds no scenario"
    assert runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "out"), "-j", "0"]).exit_code == 2


def test_two_jobs_give_the_same_files_as_one(tmp_path):
    rows = [
        {**MADE_UP, "name": f"s{i}", "requests_per_month": 10 ** (3 + i % 5), "prompt_tokens": 100 + i}
        for i in range(9)
    ] + [{"name": "bad", "min_replicas": -1}]
    src = write_csv(tmp_path / "s.csv", rows)
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = runner.invoke(app, ["batch", str(src), "-o", str(one), "-j", "1"])
    # the worker processes run from a subprocess with a time limit: a hang fails this test, not CI's clock
    r2 = finish(start_cli(["batch", str(src), "-o", str(two), "-j", "2"]), timeout=420)
    assert r1.exit_code == r2.returncode == 1
    assert r1.stderr == r2.stderr and "row 10 (line 11, 'bad'): min_replicas: must be >= 0" in r2.stderr
    assert snapshot_bytes(one) == snapshot_bytes(two)


def start_cli(args: list[str], **kwargs) -> subprocess.Popen:
    """``llmcost ARGS`` in a subprocess of its own session (its workers and fork server in its group)."""
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(
        [sys.executable, "-c", "from workbook.cli import main; main()", *args],
        cwd=ROOT,
        start_new_session=True,
        text=True,
        **{**pipes, **kwargs},
    )


def finish(proc: subprocess.Popen, timeout: float) -> subprocess.CompletedProcess:
    """Wait for ``proc`` at most ``timeout`` seconds [s]; on time out, kill its process group and fail."""
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stdout, stderr = None, None
        pytest.fail(f"llmcost {' '.join(proc.args[3:])} gave no answer in {timeout:g} s")
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the workers in Linux's /proc")
@pytest.mark.parametrize(
    "sig, reason",
    [
        (signal.SIGKILL, "worker process killed by SIGKILL"),
        (signal.SIGSTOP, "no result after 60 s; worker process stopped"),
    ],
)
def test_a_dead_or_stuck_worker_costs_only_its_row(tmp_path, sig, reason):
    # 7 rows on 2 workers (no template cache: a workbook is one full build); one worker is killed, or stopped
    # for good, while it holds a row: that row is reported and the batch goes on with a new worker
    rows = [{"name": f"s{i}", "requests_per_month": 1000 + i} for i in range(7)]
    src, out = write_csv(tmp_path / "s.csv", rows), tmp_path / "out"
    proc = start_cli(["batch", str(src), "-o", str(out), "-j", "2", "--timeout", "60"])
    deadline = time.monotonic() + 300
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        server = [c for c in children(proc.pid) if "forkserver" in Path(f"/proc/{c}/cmdline").read_text()]
        workers = children(server[0]) if server else []
        time.sleep(0.02)
    assert len(workers) == 2, "the batch ended before its workers could be found"
    os.kill(workers[0], sig)
    result = finish(proc, timeout=420)
    assert result.returncode == 1
    lost = [line for line in result.stderr.splitlines() if reason in line]
    assert len(lost) == 1 and result.stderr.count("row ") == 1, result.stderr
    assert re.fullmatch(rf"row (\d) \(line \d, 's\d'\): {reason}; workbook not written", lost[0])
    assert "wrote 6 of 7 workbooks" in result.stdout
    table = summary(out)
    [bad] = [r for r in table if r["status"] == "error"]
    assert lost[0].startswith(f"row {bad['row']} (line {bad['line']}, '{bad['name']}')") and bad["file"] == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{r['name']}.xlsx" for r in table if r is not bad), "summary.csv", "summary_raw.csv"]
    )
    for r in table:
        if r is not bad:
            assert read_inputs(out / r["file"]).values["requests_per_month"] == 1000 + int(r["name"][1:])


def snapshot_bytes(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_killed_batch_leaves_only_complete_workbooks(tmp_path):
    src = write_csv(tmp_path / "s.csv", [{"name": f"s{i:04d}", "requests_per_month": 1000 + i} for i in range(400)])
    out = tmp_path / "out"
    proc = start_cli(
        ["batch", str(src), "-o", str(out), "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("*.xlsx"))) < 20 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the batch ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)  # the batch only: its workers must die with it
        proc.wait()
        time.sleep(1.0)
        settled = sorted(p.name for p in out.iterdir())
        time.sleep(1.0)
        assert sorted(p.name for p in out.iterdir()) == settled, "workers kept writing after the batch died"
    finally:
        kill_group(proc)
    books = list(out.glob("*.xlsx"))
    assert 20 <= len(books) < 400
    assert not (out / "summary.csv").exists() and not (out / "summary_raw.csv").exists()
    for book in books:
        with zipfile.ZipFile(book) as z:
            assert z.testzip() is None
        assert read_inputs(book).values["requests_per_month"] == 1000 + int(book.stem[1:])
    leftovers = [p.name for p in out.iterdir() if p.suffix != ".xlsx"]
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers), leftovers


# --- template ------------------------------------------------------------------------------------------


def test_template_default_path_and_no_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["template"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "llm-cost-model.xlsx"
    assert path.read_bytes() == workbook_bytes(Scenario())
    before = snapshot(tmp_path)
    again = runner.invoke(app, ["template"])
    assert again.exit_code == 1 and "exists" in again.stderr and "--force" in again.stderr
    assert snapshot(tmp_path) == before
    forced = runner.invoke(app, ["template", "--set", "requests_per_month=5e6", "--force"])
    assert forced.exit_code == 0
    assert read_inputs(path).values["requests_per_month"] == 5e6


def test_template_with_scenario_file_and_sets(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("".join(f"{k}: {v}\n" for k, v in MADE_UP.items()))
    target = tmp_path / "mine.xlsx"
    result = runner.invoke(app, ["template", str(target), "--scenario", str(f), "--set", "currency=EUR"])
    assert result.exit_code == 0, result.output
    expected = Scenario(**{**MADE_UP, "currency": "EUR"})
    assert target.read_bytes() == workbook_bytes(expected)
    evaluated = runner.invoke(app, ["evaluate", str(target), "--format", "json"])
    assert evaluated.exit_code == 0
    assert '"monthly_cost": 12088.0' in evaluated.stdout


def test_template_errors(tmp_path):
    bad = runner.invoke(app, ["template", str(tmp_path / "x.xls")])
    assert bad.exit_code == 1 and bad.stderr.strip().endswith(
        "must end in .xlsx (Excel opens workbooks by their extension)"
    )
    typo = runner.invoke(app, ["template", str(tmp_path / "x.xlsx"), "--set", "staf_monthly=1"])
    assert typo.exit_code == 1 and "did you mean staff_monthly?" in typo.stderr
    missing = runner.invoke(app, ["template", str(tmp_path / "no" / "x.xlsx")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_template_into_a_folder(tmp_path):
    result = runner.invoke(app, ["template", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "llm-cost-model.xlsx").exists()
    assert zipfile.ZipFile(io.BytesIO((tmp_path / "llm-cost-model.xlsx").read_bytes())).testzip() is None


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    # the process dies after the bytes are written but before the rename: no workbook, no temporary file
    from workbook.xlsx import files

    def die(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", die)
    with pytest.raises(KeyboardInterrupt):
        files.write_bytes_atomically(tmp_path / "a.xlsx", b"PK" + bytes(100_000))
    assert list(tmp_path.iterdir()) == []
