"""The four result formats of ``llmcost calibrate``: one reader per format, each turning a parsed JSON document
into :class:`~workbook.cli.calibrate_measurement.Measurement` objects (one per operating point), and
:func:`detect_format`.

Key paths and units (from each tool's source; see ``tests/data/calibrate/README.md``):

- vLLM ``vllm bench serve --save-result``: ``request_throughput`` [req/s], ``total_input_tokens`` and
  ``total_output_tokens`` / ``completed``, ``mean_ttft_ms``/``p99_ttft_ms`` and ``mean_tpot_ms``/``p99_tpot_ms``
  [ms] (the per-request lists ``ttfts``, ``latencies`` of ``--save-detailed`` are in s and not read);
  ``max_concurrency``, ``model_id``.
- GenAI-Perf and AIPerf: ``request_throughput.avg`` [requests/sec], ``input_sequence_length.avg``,
  ``output_sequence_length.avg`` [tokens], ``time_to_first_token.avg|p99`` and ``inter_token_latency.avg|p99``
  (TPOT: ``(latency - TTFT) / (osl - 1)`` per request) with their ``unit`` checked; model and concurrency from
  ``input_config`` (several layouts).
- GuideLLM: per ``benchmarks[i].metrics``, the ``successful`` summaries of ``requests_per_second``,
  ``prompt_token_count``, ``output_token_count``, ``time_to_first_token_ms`` and ``inter_token_latency_ms``
  [ms]. Not ``time_per_output_token_ms``: GuideLLM's "TPOT" is latency / output tokens, first token included.

A missing or mistyped field raises :class:`~workbook.cli.errors.CliError` naming the file and the field.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Callable, Sequence
from typing import Any

from .calibrate_measurement import Measurement, format_value
from .errors import CliError

__all__ = ["Measurement", "TOOLS", "detect_format", "read_document", "format_value"]

#: Format id -> the tool's name, in the order the formats are tried.
TOOLS = {"guidellm": "GuideLLM", "aiperf": "AIPerf", "genai-perf": "GenAI-Perf", "vllm": "vLLM bench serve"}
_MS_PER = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3, "sec": 1e3}  # ms per unit of AIPerf/GenAI-Perf times
_RATE_UNITS = ("requests/sec", "requests/s")
_MISSING = object()


# --- reading fields with messages that name them ------------------------------------------------------


def _dotted(path: Sequence[Any]) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")


class _Fields:
    """Field access into one JSON document; a missing or mistyped field is a :class:`CliError` naming it."""

    def __init__(self, label: str, doc: Any):
        self.label, self.doc = label, doc

    def get(self, *path: Any, default: Any = None) -> Any:
        node = self.doc
        for k in path:
            if isinstance(k, int) and isinstance(node, list) and -len(node) <= k < len(node):
                node = node[k]
            elif isinstance(k, str) and isinstance(node, dict) and k in node:
                node = node[k]
            else:
                return default
        return node

    def number(self, *path: Any, optional: bool = False) -> float | None:
        """The number at ``path``; None if absent, null or not finite and ``optional``, else an error."""
        v = self.get(*path, default=_MISSING)
        if v is _MISSING or v is None:
            if optional:
                return None
            raise CliError(self.label, f"{_dotted(path)} is missing")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise CliError(self.label, f"{_dotted(path)} must be a number (got {json.dumps(v)[:40]})")
        if not math.isfinite(v):
            if optional:
                return None
            raise CliError(self.label, f"{_dotted(path)} is {v}")
        return float(v)

    def text(self, *path: Any) -> str | None:
        v = self.get(*path)
        return v.strip() or None if isinstance(v, str) else None

    def whole(self, *path: Any) -> int | None:
        """A whole number (a concurrency), or None if absent, blank or not a whole number."""
        v = self.get(*path)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v != int(v):
            return None
        return int(v)


def _ms_to_s(v: float | None) -> float | None:
    return None if v is None else v / 1e3


def _no_latency(why: str) -> str:
    return f"no TTFT/TPOT in the file ({why}); latency targets cannot be checked"


# --- vLLM bench serve ---------------------------------------------------------------------------------


def _vllm(f: _Fields, label: str) -> list[Measurement]:
    doc = f.doc
    if "input_sequence_throughput" in doc or "total_input_sequences" in doc:
        raise CliError(
            label, "is a vLLM pooling (embeddings) benchmark: no output tokens; calibrate needs a generation benchmark"
        )
    completed = f.number("completed")
    if completed <= 0:
        failed = f.whole("failed")
        raise CliError(
            label,
            "completed is 0: no request finished"
            + (f" ({failed} failed)" if failed else "")
            + "; nothing to calibrate from",
        )
    warnings = []
    if f.get("request_rate") not in ("inf", None) and f.get("max_concurrency") is None:
        warnings.append(
            f"request_rate {f.get('request_rate')} with no max_concurrency: the throughput is the "
            "offered rate, not the replica's capacity (run with --request-rate inf --max-concurrency N)"
        )
    if f.whole("failed"):
        warnings.append(f"{f.whole('failed')} requests failed (not counted in the throughput or the token means)")
    if f.get("mean_ttft_ms") is None:
        warnings.append(_no_latency("run with --skip-tokenizer-init?"))
    return [
        Measurement(
            source=label,
            tool=TOOLS["vllm"],
            model=f.text("model_id") or f.text("tokenizer_id"),
            concurrency=f.whole("max_concurrency"),
            requests_per_second=f.number("request_throughput"),
            prompt_tokens_mean=f.number("total_input_tokens") / completed,
            output_tokens_mean=f.number("total_output_tokens") / completed,
            ttft_mean_s=_ms_to_s(f.number("mean_ttft_ms", optional=True)),
            ttft_p99_s=_ms_to_s(f.number("p99_ttft_ms", optional=True)),
            tpot_mean_ms=f.number("mean_tpot_ms", optional=True),
            tpot_p99_ms=f.number("p99_tpot_ms", optional=True),
            warnings=tuple(warnings),
        )
    ]


# --- GenAI-Perf and AIPerf (the same per-metric layout) --------------------------------------------------


def _metric(f: _Fields, tag: str, stat: str, kind: str, optional: bool = False) -> float | None:
    """``doc[tag][stat]`` with ``doc[tag]["unit"]`` checked; times are returned in ms."""
    block = f.get(tag)
    if not isinstance(block, dict):
        if optional:
            return None
        raise CliError(f.label, f"{tag} is missing" if block is None else f"{tag} must be an object with unit and avg")
    if stat == "avg" and "avg" not in block and "mean" in block:
        raise CliError(
            f.label, f"{tag} has mean/std but no avg: an aggregate of several runs; give one run's profile export"
        )
    value = f.number(tag, stat, optional=optional)
    unit = block.get("unit")
    if kind == "time":
        if unit not in _MS_PER:
            raise CliError(f.label, f"{tag}.unit is {unit!r}; expected a time unit ({', '.join(_MS_PER)})")
        return None if value is None else value * _MS_PER[unit]
    if kind == "rate" and unit not in _RATE_UNITS:
        raise CliError(f.label, f"{tag}.unit is {unit!r}; expected requests/sec")
    if kind == "tokens" and unit not in ("tokens", None):
        raise CliError(f.label, f"{tag}.unit is {unit!r}; expected tokens")
    return value


def _nvidia(
    f: _Fields, label: str, tool: str, model: str | None, concurrency: int | None, warnings: list[str]
) -> list[Measurement]:
    if f.get("time_to_first_token") is None:
        warnings.append(_no_latency("not a streaming run?"))
    ttft, ttft99 = (_metric(f, "time_to_first_token", s, "time", optional=True) for s in ("avg", "p99"))
    return [
        Measurement(
            source=label,
            tool=tool,
            model=model,
            concurrency=concurrency,
            requests_per_second=_metric(f, "request_throughput", "avg", "rate"),
            prompt_tokens_mean=_metric(f, "input_sequence_length", "avg", "tokens"),
            output_tokens_mean=_metric(f, "output_sequence_length", "avg", "tokens"),
            ttft_mean_s=_ms_to_s(ttft),
            ttft_p99_s=_ms_to_s(ttft99),
            tpot_mean_ms=_metric(f, "inter_token_latency", "avg", "time", optional=True),
            tpot_p99_ms=_metric(f, "inter_token_latency", "p99", "time", optional=True),
            warnings=tuple(warnings),
        )
    ]


def _genai_perf(f: _Fields, label: str) -> list[Measurement]:
    ic = _Fields(label, f.get("input_config"))
    warnings = []
    if "perf_analyzer" in ic.doc or "model_names" in ic.doc:  # config-file era
        model, conc = ic.text("model_names", 0), ic.whole("perf_analyzer", "stimulus", "concurrency")
        rate = ic.get("perf_analyzer", "stimulus", "request_rate")
    else:  # <= 0.0.11: input_config = vars(argparse args)
        model, conc, rate = ic.text("model", 0), ic.whole("concurrency") or None, ic.get("request_rate")
    if rate not in (None, "") and conc is None:
        warnings.append(f"request_rate {rate}: the throughput is the offered rate, not the replica's capacity")
    return _nvidia(f, label, TOOLS["genai-perf"], model, conc, warnings)


def _cli_concurrency(command: Any) -> int | None:
    try:
        words = shlex.split(command) if isinstance(command, str) else []
    except ValueError:
        return None
    for flag, value in zip(words, words[1:]):
        if flag == "--concurrency" and value.isdigit():
            return int(value)
    return None


def _aiperf(f: _Fields, label: str) -> list[Measurement]:
    ic = _Fields(label, f.get("input_config") or {})
    warnings = []
    model = ic.text("models", "items", 0, "name") or ic.text("endpoint", "model_names", 0)
    phases = [
        p
        for p in ic.get("phases") or []
        if isinstance(p, dict) and (p.get("kind") == "profiling" or p.get("name") == "profiling")
    ]
    phase = phases[0] if phases else {}
    conc = _Fields(label, phase).whole("concurrency") or ic.whole("loadgen", "concurrency")
    conc = conc or _cli_concurrency(f.get("run_info", "cli_command") or ic.get("cli_command"))
    if phase.get("type") not in (None, "concurrency"):
        warnings.append(
            f"a {phase.get('type')} rate phase: the throughput is the offered rate, not the replica's capacity"
        )
    if f.get("was_cancelled") is True:
        warnings.append("the run was cancelled (was_cancelled: true)")
    return _nvidia(f, label, TOOLS["aiperf"], model, conc, warnings)


# --- GuideLLM ---------------------------------------------------------------------------------------


def _guidellm(f: _Fields, label: str) -> list[Measurement]:
    benchmarks = f.get("benchmarks")
    if not benchmarks:
        raise CliError(label, "is a GuideLLM report with no benchmarks (the run stopped before measuring?)")
    out = []
    for i, b in enumerate(benchmarks):
        bf = _Fields(label, b)
        where = f"benchmarks[{i}]"
        source = label if len(benchmarks) == 1 else f"{label}#{i + 1}"
        strategy = bf.get("config", "strategy") or bf.get("args", "strategy") or {}
        kind = strategy.get("type_") if isinstance(strategy, dict) else None
        conc = {"concurrent": _Fields(label, strategy).whole("streams"), "synchronous": 1}.get(
            kind, _Fields(label, strategy).whole("max_concurrency")
        )
        m = _Fields(label, bf.get("metrics"))
        if not isinstance(m.doc, dict):
            raise CliError(label, f"{where}.metrics is missing")

        def ok(metric: str, *stat: str, optional: bool = False, m: _Fields = m) -> float | None:
            try:
                return m.number(metric, "successful", *stat, optional=optional)
            except CliError as exc:
                raise CliError(label, f"{where}.metrics.{exc.problem}") from None

        if m.get("request_totals", "successful") == 0 or not ok("requests_per_second", "mean"):
            raise CliError(source, f"{where} has no successful request; nothing to calibrate from")
        warnings = []
        if kind in ("constant", "poisson"):
            warnings.append(f"a {kind} rate benchmark: the throughput is the offered rate, not the replica's capacity")
        if m.whole("request_totals", "errored"):
            warnings.append(f"{m.whole('request_totals', 'errored')} requests errored (not in the figures)")
        model = (
            bf.text("config", "backend", "model")
            or bf.text("worker", "backend_model")
            or f.text("config", "spec", "backend", "model")
            or f.text("args", "model")
        )
        out.append(
            Measurement(
                source=source,
                tool=TOOLS["guidellm"],
                model=model,
                concurrency=conc,
                requests_per_second=ok("requests_per_second", "mean"),
                prompt_tokens_mean=ok("prompt_token_count", "mean"),
                output_tokens_mean=ok("output_token_count", "mean"),
                ttft_mean_s=_ms_to_s(ok("time_to_first_token_ms", "mean", optional=True)),
                ttft_p99_s=_ms_to_s(ok("time_to_first_token_ms", "percentiles", "p99", optional=True)),
                tpot_mean_ms=ok("inter_token_latency_ms", "mean", optional=True),
                tpot_p99_ms=ok("inter_token_latency_ms", "percentiles", "p99", optional=True),
                warnings=tuple(warnings),
            )
        )
    return out


# --- detection ---------------------------------------------------------------------------------------

_READERS: dict[str, Callable[[_Fields, str], list[Measurement]]] = {
    "guidellm": _guidellm,
    "aiperf": _aiperf,
    "genai-perf": _genai_perf,
    "vllm": _vllm,
}


def detect_format(doc: Any) -> str | None:
    """The format id (a key of :data:`TOOLS`) of one parsed JSON document, or None if it is none of them."""
    if not isinstance(doc, dict):
        return None
    benchmarks = doc.get("benchmarks")
    if isinstance(benchmarks, list) and (
        (not benchmarks and ({"metadata", "config", "args"} & doc.keys() or len(doc) == 1))
        or (
            isinstance(benchmarks[0] if benchmarks else None, dict)
            and ("metrics" in benchmarks[0] or benchmarks[0].get("type_") == "generative_benchmark")
        )
    ):
        return "guidellm"
    if "schema_version" in doc and "aiperf_version" in doc:
        return "aiperf"
    ic = doc.get("input_config")
    if isinstance(ic, dict):
        if "perf_analyzer" in ic or "model_names" in ic:
            return "genai-perf"
        if (isinstance(ic.get("endpoint"), dict) and "model_names" in ic["endpoint"]) or "loadgen" in ic:
            return "aiperf"
        if "model" in ic:
            return "genai-perf"
    if {"request_throughput", "completed", "duration"} & doc.keys() and {
        "model_id",
        "backend",
        "tokenizer_id",
        "endpoint_type",
    } & doc.keys():
        return "vllm"
    return None


def read_document(doc: Any, label: str) -> list[Measurement]:
    """The measurements of one parsed result document (``label`` names it in messages)."""
    fmt = detect_format(doc)
    if fmt is None:
        what = (
            f"its top-level keys: {', '.join(list(doc)[:6])}{', ...' if len(doc) > 6 else ''}"
            if isinstance(doc, dict)
            else f"a JSON {type(doc).__name__.replace('dict', 'object')}"
        )
        raise CliError(label, f"is not a result file of vLLM bench serve, GenAI-Perf, AIPerf or GuideLLM ({what})")
    return _READERS[fmt](_Fields(label, doc), label)
