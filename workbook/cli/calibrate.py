"""Scenario keys from a serving benchmark's result file (``llmcost calibrate RESULT ...``).

Reads vLLM's ``vllm bench serve --save-result`` JSON (also ``--append-result`` JSON lines), NVIDIA GenAI-Perf's
``profile_export_genai_perf.json``, AIPerf's ``profile_export_aiperf.json`` and GuideLLM's report JSON, and turns
each operating point into one :class:`~workbook.cli.calibrate_measurement.Measurement` (the readers of the
formats are in :mod:`workbook.cli.calibrate_formats`), then chooses among several points (a concurrency sweep) the
one whose keys are given: :func:`choose`.

A file that cannot be read raises :class:`~workbook.cli.errors.CliError` naming the file and the field at fault.
Everything but :func:`read_results` is pure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .calibrate_formats import read_document
from .calibrate_measurement import Measurement, format_value
from .errors import CliError
from .fit import plural

__all__ = [
    "Measurement",
    "Targets",
    "Calibration",
    "SCENARIO_KEYS",
    "measurements",
    "read_results",
    "choose",
    "format_value",
]

#: The scenario keys a measurement gives (:meth:`Measurement.scenario_keys`); the rest is for people.
SCENARIO_KEYS = ("seconds_per_request", "prompt_tokens", "output_tokens")


def _documents(text: str, label: str) -> list[Any]:
    """The JSON value of ``text``, or the objects of vLLM's ``--append-result`` JSON lines."""
    if not text.strip():
        raise CliError(label, "is empty")
    if text.lstrip()[0] not in "{[":
        raise CliError(
            label, f"is not JSON (it starts with {text.lstrip()[:20]!r}); give the benchmark's result JSON file"
        )
    decoder, docs, i = json.JSONDecoder(), [], 0
    try:
        while i < len(text):
            doc, i = decoder.raw_decode(text, i)
            docs.append(doc)
            while i < len(text) and text[i].isspace():
                i += 1
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise CliError(
                label,
                f"the JSON stops before it is complete (at line {text.count(chr(10)) + 1}): "
                "truncated? the benchmark may not have finished writing it",
            ) from None
        raise CliError(label, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    return docs


def measurements(text: str, label: str) -> list[Measurement]:
    """Every operating point in the text of one result file (``label`` names the file in messages)."""
    docs = _documents(text, label)
    out = []
    for n, doc in enumerate(docs, 1):
        out += read_document(doc, label if len(docs) == 1 else f"{label}#{n}")
    return out


def read_results(paths: Sequence[str | Path]) -> list[Measurement]:
    """The measurements of every file, in the order given."""
    out = []
    for path in paths:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CliError(label, "is not UTF-8 text; give the benchmark's result JSON file") from None
        except IsADirectoryError:
            raise CliError(label, "is a folder; give the result JSON file(s) in it") from None
        except FileNotFoundError:
            raise CliError(label, "no such file") from None
        out += measurements(text, label)
    return out


# --- choosing among several points ----------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Latency targets of a scenario: ``max_ttft_s`` [s] and ``max_tpot_ms`` [ms/token]; None = no target."""

    max_ttft_s: float | None
    max_tpot_ms: float | None

    def any(self) -> bool:
        return self.max_ttft_s is not None or self.max_tpot_ms is not None

    def misses(self, m: Measurement) -> list[str]:
        """What of ``m``'s mean TTFT and TPOT misses the targets (empty: it meets them)."""
        out = []
        for name, value, target, unit in (
            ("TTFT", m.ttft_mean_s, self.max_ttft_s, "s"),
            ("TPOT", m.tpot_mean_ms, self.max_tpot_ms, "ms"),
        ):
            if target is None:
                continue
            if value is None:
                out.append(f"no {name} measured")
            elif value > target:
                out.append(f"mean {name} {value:.4g} {unit} > {target:g} {unit}")
        return out

    def describe(self) -> str:
        parts = [
            f"mean TTFT <= {self.max_ttft_s:g} s" if self.max_ttft_s is not None else "",
            f"mean TPOT <= {self.max_tpot_ms:g} ms" if self.max_tpot_ms is not None else "",
        ]
        return ", ".join(p for p in parts if p) or "none"


@dataclass(frozen=True)
class Calibration:
    """The measurements sorted by concurrency, the targets, and the one whose keys are given (None: none
    of several meets the targets)."""

    measurements: tuple[Measurement, ...]
    targets: Targets
    chosen: Measurement | None

    def notes(self) -> list[str]:
        """``source: note`` lines for people: each measurement's warnings, and a single measurement that misses
        the targets."""
        lines = [f"{m.source}: {w}" for m in self.measurements for w in m.warnings]
        if len(self.measurements) == 1 and self.targets.misses(self.measurements[0]):
            m = self.measurements[0]
            lines.append(
                f"{m.source}: misses the latency targets ({'; '.join(self.targets.misses(m))}); its "
                "seconds_per_request is for a load above what the targets allow"
            )
        return lines

    def no_fit(self, subject: str) -> CliError:
        """The error of a sweep of which no measurement meets the targets (``subject``: where they came from)."""
        return CliError(
            subject,
            f"none of the {plural(len(self.measurements), 'result')} meets the latency targets "
            f"({self.targets.describe()}); measure at a lower concurrency, or relax "
            "max_ttft_s / max_tpot_ms",
        )


def choose(found: Sequence[Measurement], targets: Targets) -> Calibration:
    """Sort by concurrency and choose the measurement whose keys are given.

    One measurement is taken as it is (whether it meets the targets is reported, not enforced). Of several
    (a concurrency sweep), the one with the highest request throughput among those whose mean TTFT and
    mean TPOT meet ``targets``; with no targets, the highest throughput; None when none meets them.
    """
    ordered = tuple(sorted(found, key=lambda m: (m.concurrency is None, m.concurrency or 0, m.source)))
    if len(ordered) == 1:
        return Calibration(ordered, targets, ordered[0])
    fits = [m for m in ordered if not targets.misses(m)]
    return Calibration(ordered, targets, max(fits, key=lambda m: m.requests_per_second) if fits else None)
