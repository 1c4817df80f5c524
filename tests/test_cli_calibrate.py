"""`llmcost calibrate`: scenario keys from serving benchmark result files, and the one-line errors.

The samples in tests/data/calibrate/ are test data written from each tool's documented schema (see the README
there); every expected number below is worked by hand from the sample's own fields.
"""

import json
from pathlib import Path

import pytest
import yaml
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario
from workbook.cli import app
from workbook.cli.scenario_files import load_scenario

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "calibrate"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def _calibrate(*args: str):
    return runner.invoke(app, ["calibrate", *map(str, args)])


def _json(*args: str) -> dict:
    result = _calibrate(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _only(doc: dict) -> dict:
    assert len(doc["measurements"]) == 1
    return doc["measurements"][0]


def _sample(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --- each format gives the numbers worked by hand -------------------------------------------------------


@pytest.mark.parametrize("name", ["vllm_bench_serve.json", "vllm_bench_serve_detailed.json"])
def test_vllm_bench_serve(name):
    # completed 4, duration 2.4183 s, request_throughput 1.6540544986 req/s:
    #   seconds_per_request = 1 / 1.6540544986 = 2.4183 / 4 = 0.604575 s
    # prompt = total_input_tokens / completed = 4096 / 4 = 1024; output = total_output_tokens / completed = 512 / 4 =
    # 128
    # TTFT: mean_ttft_ms 118.42 -> 0.11842 s, p99_ttft_ms 127.55 -> 0.12755 s; TPOT: mean_tpot_ms 17.34, p99 17.66
    # (not the ITL keys 17.29 / 24.71, and not the per-request lists of --save-detailed, which are in seconds)
    m = _only(_json(DATA / name))
    assert m["tool"] == "vLLM bench serve" and m["model"] == MODEL and m["concurrency"] == 4
    assert m["seconds_per_request"] == pytest.approx(1 / 1.6540544986) == pytest.approx(2.4183 / 4)
    assert (m["prompt_tokens_mean"], m["output_tokens_mean"]) == (1024.0, 128.0)
    assert m["ttft_mean_s"] == pytest.approx(0.11842) and m["ttft_p99_s"] == pytest.approx(0.12755)
    assert m["tpot_mean_ms"] == pytest.approx(17.34) and m["tpot_p99_ms"] == pytest.approx(17.66)
    assert m["warnings"] == []


@pytest.mark.parametrize(
    "name, tool",
    [
        ("genai_perf_profile_export.json", "GenAI-Perf"),  # input_config.perf_analyzer.stimulus
        ("genai_perf_profile_export_legacy_argparse.json", "GenAI-Perf"),  # input_config.concurrency
        ("aiperf_profile_export.json", "AIPerf"),  # input_config.phases[kind=profiling]
        ("aiperf_profile_export_legacy_v0.1.json", "AIPerf"),  # input_config.loadgen.concurrency
    ],
)
def test_genai_perf_and_aiperf(name, tool):
    # request_throughput.avg 3.8612 requests/sec (= request_count 200 / benchmark_duration 51.797 s):
    #   seconds_per_request = 1 / 3.8612 = 0.258987 s
    # input_sequence_length.avg 512, output_sequence_length.avg 256 tokens
    # time_to_first_token avg 96.41 ms -> 0.09641 s, p99 231.8 ms -> 0.2318 s; inter_token_latency avg 15.87, p99
    # 17.95 ms
    doc = _json(DATA / name)
    m = _only(doc)
    assert m["tool"] == tool and m["model"] == MODEL and m["concurrency"] == 16
    assert m["seconds_per_request"] == pytest.approx(1 / 3.8612)
    assert (m["prompt_tokens_mean"], m["output_tokens_mean"]) == (512.0, 256.0)
    assert m["ttft_mean_s"] == pytest.approx(0.09641) and m["ttft_p99_s"] == pytest.approx(0.2318)
    assert m["tpot_mean_ms"] == pytest.approx(15.87) and m["tpot_p99_ms"] == pytest.approx(17.95)
    assert doc["keys"] == {
        "seconds_per_request": pytest.approx(1 / 3.8612),
        "prompt_tokens": 512.0,
        "output_tokens": 256.0,
    }


def test_guidellm_reads_inter_token_latency_not_its_tpot():
    # benchmarks[0].metrics.*.successful: requests_per_second.mean 3.879 -> 1 / 3.879 = 0.257798 s
    # prompt_token_count 512, output_token_count 256; time_to_first_token_ms mean 95, p99 240 -> 0.095 s, 0.24 s
    # TPOT = inter_token_latency_ms: mean 16.1, p99 31.7 ms. GuideLLM's own time_per_output_token_ms includes the
    # first token: (95 + 16.1 * 255) / 256 = 16.408 ms; that one must not be read.
    m = _only(_json(DATA / "guidellm_report.json"))
    assert m["tool"] == "GuideLLM" and m["model"] == MODEL and m["concurrency"] == 16
    assert m["seconds_per_request"] == pytest.approx(1 / 3.879)
    assert (m["prompt_tokens_mean"], m["output_tokens_mean"]) == (512.0, 256.0)
    assert m["ttft_mean_s"] == pytest.approx(0.095) and m["ttft_p99_s"] == pytest.approx(0.24)
    assert m["tpot_mean_ms"] == pytest.approx(16.1) and m["tpot_p99_ms"] == pytest.approx(31.7)


def test_table_names_model_concurrency_and_keys():
    result = _calibrate(DATA / "vllm_bench_serve.json")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"vLLM bench serve, model {MODEL}" in out
    assert "0.6046" in out and "0.118" in out and "17.34" in out
    assert "seconds_per_request=0.604575" in out and "prompt_tokens=1024" in out and "output_tokens=128" in out


def test_vllm_append_result_json_lines_are_one_row_each(tmp_path):
    # --append-result writes one JSON object per line; the second run here has max_concurrency 8 and
    # request_throughput 2.5 -> 0.4 s/request, which meets the default targets and is faster, so it is chosen
    one, two = _sample("vllm_bench_serve.json"), _sample("vllm_bench_serve.json")
    two.update(max_concurrency=8, request_throughput=2.5)
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(one) + "\n" + json.dumps(two) + "\n", encoding="utf-8")
    doc = _json(path)
    assert [m["concurrency"] for m in doc["measurements"]] == [4, 8]
    assert doc["chosen"] == f"{path}#2" and doc["keys"]["seconds_per_request"] == pytest.approx(0.4)


# --- a concurrency sweep -----------------------------------------------------------------------------------


def _targets(tmp_path: Path, **keys) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(keys), encoding="utf-8")
    return path


def test_guidellm_sweep_chooses_the_fastest_concurrency_meeting_the_targets(tmp_path):
    # streams 1, 4, 16: req/s 0.2941, 1.1019, 3.879; mean TTFT 38, 52, 95 ms; mean ITL 13.2, 14.1, 16.1 ms.
    # Targets TTFT <= 0.08 s and TPOT <= 15 ms: 1 and 4 meet them, 16 does not (0.095 s > 0.08 s);
    # the faster of the two is concurrency 4: seconds_per_request = 1 / 1.1019 = 0.907523 s
    scenario = _targets(tmp_path, max_ttft_s=0.08, max_tpot_ms=15)
    doc = _json(DATA / "guidellm_report_concurrency_sweep.json", "--scenario", scenario)
    assert [m["concurrency"] for m in doc["measurements"]] == [1, 4, 16]
    assert [m["meets_targets"] for m in doc["measurements"]] == [True, True, False]
    assert doc["chosen"].endswith("#2") and doc["keys"]["seconds_per_request"] == pytest.approx(1 / 1.1019)
    # the table says which and why
    out = _calibrate(DATA / "guidellm_report_concurrency_sweep.json", "-s", scenario).stdout
    assert "(concurrency 4), the highest throughput meeting the latency targets" in out
    assert "seconds_per_request=0.907523" in out


def test_sweep_of_several_files_sorted_by_concurrency_with_the_default_targets():
    # default targets (Scenario(): max_ttft_s 0.45 s, max_tpot_ms 40 ms) are met by every point; the fastest is
    # GuideLLM at 16 streams, 3.879 req/s (GenAI-Perf at 16 has 3.8612; vLLM at 4 has 1.654)
    assert Scenario().targets() == (0.45, 40.0)
    doc = _json(DATA / "guidellm_report.json", DATA / "vllm_bench_serve.json", DATA / "genai_perf_profile_export.json")
    assert [m["concurrency"] for m in doc["measurements"]] == [4, 16, 16]
    assert doc["chosen"] == str(DATA / "guidellm_report.json")


def test_sweep_with_no_point_meeting_the_targets_says_so_and_exits_1(tmp_path):
    # TPOT <= 10 ms: the lowest mean ITL of the sweep is 13.2 ms
    scenario = _targets(tmp_path, max_tpot_ms=10)
    result = _calibrate(DATA / "guidellm_report_concurrency_sweep.json", "--scenario", scenario, "--format", "set")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        f"{scenario}: none of the 3 results meets the latency targets (mean TTFT <= "
        "0.45 s, mean TPOT <= 10 ms); measure at a lower concurrency, or relax "
        "max_ttft_s / max_tpot_ms"
    )
    assert "seconds_per_request" not in scenario.read_text(encoding="utf-8")  # nothing written


# --- --format set and --scenario ---------------------------------------------------------------------------


def test_format_set_is_accepted_by_compare():
    result = _calibrate(DATA / "vllm_bench_serve.json", "--format", "set")
    assert result.exit_code == 0, result.output
    lines = result.stdout.split()
    assert lines == ["seconds_per_request=0.604575", "prompt_tokens=1024", "output_tokens=128"]
    base = [
        a
        for k, v in MADE_UP.items()
        if k not in ("seconds_per_request", "prompt_tokens", "output_tokens")
        for a in ("--set", f"{k}={v}")
    ]
    via_calibrate = runner.invoke(app, ["compare", *base, *(a for line in lines for a in ("--set", line))])
    by_hand = runner.invoke(
        app,
        [
            "compare",
            *base,
            "--set",
            "seconds_per_request=0.604575",
            "--set",
            "prompt_tokens=1024",
            "--set",
            "output_tokens=128",
        ],
    )
    without = runner.invoke(app, ["compare", *base])
    assert via_calibrate.exit_code == 0, via_calibrate.output
    assert via_calibrate.stdout == by_hand.stdout != without.stdout


def test_scenario_yaml_is_updated_in_place_and_keeps_its_other_keys(tmp_path):
    path = tmp_path / "rag.yaml"
    path.write_text(
        "# our RAG service\nrequests_per_month: 10000000  # from the gateway logs\nprompt_tokens: 4000\n"
        "api_model: claude-haiku-4-5\nmax_ttft_s: 0.5\n",
        encoding="utf-8",
    )
    result = _calibrate(DATA / "vllm_bench_serve.json", "--scenario", path)
    assert result.exit_code == 0, result.output
    assert (
        f"updated {path}: seconds_per_request=0.604575, prompt_tokens=1024, output_tokens=128 (other keys kept)"
    ) in result.stdout
    text = path.read_text(encoding="utf-8")
    assert text == (
        "# our RAG service\nrequests_per_month: 10000000  # from the gateway logs\nprompt_tokens: 1024\n"
        "api_model: claude-haiku-4-5\nmax_ttft_s: 0.5\nseconds_per_request: 0.604575\n"
        "output_tokens: 128\n"
    )
    s = Scenario.parse(load_scenario(path))
    assert (s.requests_per_month, s.prompt_tokens, s.output_tokens) == (10_000_000, 1024, 128)
    assert s.seconds_per_request == pytest.approx(0.604575) and s.api_model == "claude-haiku-4-5"


def test_scenario_key_value_csv_is_updated_and_a_missing_file_is_created(tmp_path):
    csv_path = tmp_path / "inputs.csv"
    csv_path.write_text("key,value,note\nprompt_tokens,800,old guess\nrequests_per_month,2e6,\n", encoding="utf-8")
    assert _calibrate(DATA / "aiperf_profile_export.json", "-s", csv_path).exit_code == 0
    assert csv_path.read_text(encoding="utf-8") == (
        "key,value,note\nprompt_tokens,512,old guess\n"
        "requests_per_month,2e6,\nseconds_per_request,0.258987\n"
        "output_tokens,256\n"
    )
    new = tmp_path / "new.yaml"
    result = _calibrate(DATA / "aiperf_profile_export.json", "-s", new)
    assert result.exit_code == 0 and f"wrote {new}" in result.stdout
    assert load_scenario(new) == {"seconds_per_request": 0.258987, "prompt_tokens": 512, "output_tokens": 256}


def test_scenario_workbook_is_an_error_pointing_elsewhere(tmp_path):
    result = _calibrate(DATA / "vllm_bench_serve.json", "--scenario", tmp_path / "model.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path / 'model.xlsx'}: is a workbook; calibrate writes scenario files")
    assert "Inputs sheet" in result.stderr and "llmcost template" in result.stderr


def test_warnings_are_printed_and_block_writing_without_force(tmp_path):
    doc = _sample("vllm_bench_serve.json")
    doc.update(failed=2)
    result_file = _write(tmp_path / "failed.json", doc)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("requests_per_month: 1000000\n", encoding="utf-8")
    result = _calibrate(result_file, "--scenario", scenario)
    assert result.exit_code == 1
    assert f"{result_file}: 2 requests failed" in result.stderr and "--force" in result.stderr
    assert scenario.read_text(encoding="utf-8") == "requests_per_month: 1000000\n"
    forced = _calibrate(result_file, "--scenario", scenario, "--force")
    assert forced.exit_code == 0, forced.output
    assert "seconds_per_request: 0.604575" in scenario.read_text(encoding="utf-8")


def test_a_single_result_missing_the_targets_is_reported_not_refused(tmp_path):
    # vLLM sample: mean TTFT 0.11842 s > 0.1 s
    result = _calibrate(DATA / "vllm_bench_serve.json", "-s", _targets(tmp_path, max_ttft_s=0.1), "--format", "set")
    assert result.exit_code == 0 and "seconds_per_request=0.604575" in result.stdout
    assert "misses the latency targets (mean TTFT 0.1184 s > 0.1 s)" in result.stderr


# --- files it cannot read: one line, exit 1 -------------------------------------------------------------------


def _problem(path: Path) -> str:
    result = _calibrate(path)
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip()


def test_truncated_file(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text((DATA / "vllm_bench_serve.json").read_text(encoding="utf-8")[:600], encoding="utf-8")
    assert _problem(path).startswith(f"{path}: the JSON stops before it is complete")


def test_not_json(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("Successful requests: 4\nBenchmark duration (s): 2.42\n", encoding="utf-8")
    assert _problem(path).startswith(f"{path}: is not JSON (it starts with 'Successful requests:")


@pytest.mark.parametrize(
    "doc, what",
    [
        (
            {"login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": False},
            "its top-level keys: login, id, node_id, type, site_admin",
        ),  # GitHub's GET /users/octocat
        ([{"id": 1, "number": 1347, "state": "open", "title": "Found a bug"}], "a JSON list"),  # GET .../issues
    ],
)
def test_a_json_of_another_tool(tmp_path, doc, what):
    path = _write(tmp_path / "github.json", doc)
    assert _problem(path) == (
        f"{path}: is not a result file of vLLM bench serve, GenAI-Perf, AIPerf or GuideLLM ({what})"
    )


def test_guidellm_report_with_no_benchmarks(tmp_path):
    doc = _sample("guidellm_report.json")
    doc["benchmarks"] = []
    path = _write(tmp_path / "empty.json", doc)
    assert _problem(path).startswith(f"{path}: is a GuideLLM report with no benchmarks")


def test_zero_completed_requests(tmp_path):
    doc = _sample("vllm_bench_serve.json")
    doc.update(completed=0, failed=4, request_throughput=0.0, total_input_tokens=0, total_output_tokens=0)
    path = _write(tmp_path / "zero.json", doc)
    assert _problem(path) == f"{path}: completed is 0: no request finished (4 failed); nothing to calibrate from"
    guide = _sample("guidellm_report.json")
    guide["benchmarks"][0]["metrics"]["request_totals"]["successful"] = 0
    path = _write(tmp_path / "zero-guidellm.json", guide)
    assert _problem(path) == f"{path}: benchmarks[0] has no successful request; nothing to calibrate from"


@pytest.mark.parametrize(
    "name, drop, field",
    [
        ("vllm_bench_serve.json", ("total_output_tokens",), "total_output_tokens is missing"),
        ("aiperf_profile_export.json", ("request_throughput",), "request_throughput is missing"),
        ("genai_perf_profile_export.json", ("input_sequence_length", "avg"), "input_sequence_length.avg is missing"),
        (
            "guidellm_report.json",
            ("benchmarks", 0, "metrics", "prompt_token_count"),
            "benchmarks[0].metrics.prompt_token_count.successful.mean is missing",
        ),
        (
            "aiperf_profile_export.json",
            ("time_to_first_token", "unit"),
            "time_to_first_token.unit is None; expected a time unit (ns, us, ms, s, sec)",
        ),
    ],
)
def test_missing_fields_are_named(tmp_path, name, drop, field):
    doc = _sample(name)
    node = doc
    for k in drop[:-1]:
        node = node[k]
    del node[drop[-1]]
    path = _write(tmp_path / name, doc)
    assert _problem(path) == f"{path}: {field}"


def test_mistyped_field_and_missing_file(tmp_path):
    doc = _sample("vllm_bench_serve.json")
    doc["request_throughput"] = "fast"
    path = _write(tmp_path / "typed.json", doc)
    assert _problem(path) == f'{path}: request_throughput must be a number (got "fast")'
    assert _problem(tmp_path / "nothing.json") == f"{tmp_path / 'nothing.json'}: no such file"


def test_time_units_of_aiperf_are_converted(tmp_path):
    # "unit is authoritative": 0.09641 s given as 96410000 ns is still 0.09641 s
    doc = _sample("aiperf_profile_export.json")
    doc["time_to_first_token"].update(unit="ns", avg=96_410_000.0, p99=231_800_000.0)
    m = _only(_json(_write(tmp_path / "ns.json", doc)))
    assert m["ttft_mean_s"] == pytest.approx(0.09641) and m["ttft_p99_s"] == pytest.approx(0.2318)
