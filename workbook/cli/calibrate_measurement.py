"""One operating point of a serving benchmark, as ``llmcost calibrate`` reads it from any of the four result
formats (:mod:`workbook.cli.calibrate_formats`): the :class:`Measurement`, its scenario keys, and how a key's
value is written into a scenario file or a ``--set`` line (:func:`format_value`).

A measurement without a completed request, or with a negative or non-finite token mean, raises
:class:`~workbook.cli.errors.CliError` naming its file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from .errors import CliError

__all__ = ["Measurement", "format_value"]


@dataclass(frozen=True)
class Measurement:
    """One operating point of a serving benchmark: one replica at one load.

    Attributes
    ----------
    source : str
        The file as given; ``FILE#n`` for the n-th of several points in one file.
    tool : str
        The benchmark tool (a value of :data:`~workbook.cli.calibrate_formats.TOOLS`).
    model, concurrency : str or None, int or None
        The model id and the client concurrency limit named in the file (None: not named, or rate-driven).
    requests_per_second : float
        Requests completed per second over the measured window. [requests/s]
    prompt_tokens_mean, output_tokens_mean : float
        Mean prompt and output tokens of the completed requests. [tokens/request]
    ttft_mean_s, ttft_p99_s : float or None
        Time to first token, mean and 99th percentile (None: not measured, e.g. not streaming). [s]
    tpot_mean_ms, tpot_p99_ms : float or None
        Time per output token after the first, mean and 99th percentile. [ms/token]
    warnings : tuple of str
        What makes the figures doubtful (failed requests, a rate-driven run, a cancelled run).
    """

    source: str
    tool: str
    model: str | None
    concurrency: int | None
    requests_per_second: float
    prompt_tokens_mean: float
    output_tokens_mean: float
    ttft_mean_s: float | None = None
    ttft_p99_s: float | None = None
    tpot_mean_ms: float | None = None
    tpot_p99_ms: float | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.requests_per_second) and self.requests_per_second > 0):
            raise CliError(
                self.source,
                f"request throughput is {self.requests_per_second}: no request completed; nothing to calibrate from",
            )
        for name in ("prompt_tokens_mean", "output_tokens_mean"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                raise CliError(self.source, f"mean {name.removesuffix('_mean')} is {getattr(self, name)}")

    @property
    def seconds_per_request(self) -> float:
        """Replica-seconds per request at the measured load: ``1 / requests_per_second``. [s]"""
        return 1.0 / self.requests_per_second

    def scenario_keys(self) -> dict[str, float]:
        """The scenario keys this measurement gives: seconds_per_request [s], prompt_tokens and output_tokens
        [tokens/request]."""
        return {
            "seconds_per_request": self.seconds_per_request,
            "prompt_tokens": self.prompt_tokens_mean,
            "output_tokens": self.output_tokens_mean,
        }


def format_value(v: float) -> str:
    """A number for a scenario file or ``--set``: 6 significant digits, never in exponent notation."""
    return format(Decimal(f"{v:.6g}"), "f")
