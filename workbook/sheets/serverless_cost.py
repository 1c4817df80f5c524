"""Per-second (serverless) billing in worksheet formulas: the monthly cost of the replicas above the warm ones at a
volume, as :func:`costengine.serverless.burst_cost` computes it (``docs/model.md#per-second-billing``).

One SUMPRODUCT over the 24 hourly shares of the load profile (``hy_shares``): for each hour, the arrivals
lambda = R x share x 24 / month seconds, the replicas k = max(1, lambda x s / u), those above the warm ones
max(0, k - m), each billed the share f = 1 - (1 - x b) e^(-x D) / (1 + x c e^(-x D)) of the hour with x = lambda / k
(b: the seconds of a request served one at a time, 0 when requests overlap). MAX
and IF do not work element by element inside SUMPRODUCT, so max(a, b) is written (a + b + ABS(a - b)) / 2; e^(-x D)
never overflows (x D >= 0).
"""

from __future__ import annotations

__all__ = ["burst_formula", "CLOUD_BURST"]

#: The cloud option's terms (names on the Comparison sheet) for :func:`burst_formula`.
CLOUD_BURST = {
    "rate": "cloud_burst_rate",
    "sec": "cloud_burst_seconds",
    "span": "cloud_burst_span",
    "cold": "cloud_cold_start",
    "busy": "cloud_burst_busy",
    "m": "min_replicas_used",
}


def _max(a: str, b: str) -> str:
    return f"(({a})+({b})+ABS(({a})-({b})))/2"


def burst_formula(
    r: str,
    rate: str,
    sec: str,
    span: str,
    cold: str,
    m: str,
    busy: str = "0",
    shares: str = "hy_shares",
    month: str = "(hours_per_month_used*c_seconds_per_hour)",
) -> str:
    """The expression (no ``=``) of the monthly cost [money/month] of the per-second replicas above the ``m`` warm
    ones at volume ``r``: ``rate`` [money/replica-s], ``sec`` s / u [replica-s/request], ``span`` [s] (latency +
    window, or the window for requests served one at a time), ``cold`` cold start [s], ``busy`` [s] (the seconds of a
    request served one at a time, else 0), ``shares`` a 24-cell range of the hours' shares of a day."""
    lam = f"({r})*{shares}*c_hours_per_day/{month}"
    k = _max("1", f"{lam}*({sec})")
    above = _max("0", f"{k}-({m})")
    x = f"({lam})/({k})"
    e = f"EXP(-{x}*({span}))"
    f = f"(1-(1-{x}*({busy}))*{e}/(1+{x}*({cold})*{e}))"
    exact = f"AND(({busy})>0,({span})=0,({cold})=0,({m})=0)"  # one at a time, no window, no start: busy seconds
    return f"IF({exact},({rate})*({r})*({busy}),({rate})*{month}/c_hours_per_day*SUMPRODUCT({above}*{f}))"
