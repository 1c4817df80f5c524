"""Per-second (serverless) billing as providers bill it: a replica is paid from its start (the cold start, weights
loaded) while it serves, and for the scale-down window after its last request (``docs/model.md#per-second-billing``).

For one replica that sees Poisson arrivals at rate lambda [1/s], each request in flight for its latency L [s] (requests
overlap: an engine batches them), billed until w [s] after the last request ends, and started (c [s], billed) when
it had scaled to zero, the billed share of time is a renewal cycle's:

    idle (not billed) ~ Exp(lambda), mean 1/lambda;
    billed period = c + (e^{lambda D} - 1) / lambda, D = L + w

(the covered stretch of a one-dimensional Boolean model with segments of length D, which is what the replica's
"up" time is once its start is over; the requests that arrive during the start are served when it ends). Hence

    billed share  f = 1 - e^{-lambda D} / (1 + lambda c e^{-lambda D})
    cold share    q = e^{-lambda D} / (1 + lambda c e^{-lambda D})   (of the requests, those that wait for a start)

f -> 1 - e^{-lambda (L + w)} without a cold start, and f -> 1 (always up) when arrivals are frequent. The traffic of
an hour is spread over k = max(1, lambda x s / u) replicas (s: replica-seconds a request occupies at the planned
batch, u: the target utilisation), each seeing lambda / k; the ``min_replicas`` warm replicas are paid all month
(the option's fixed cost) and serve the hour alone while k <= min_replicas; above, the k - min_replicas others are
billed at f. Monthly cost of those replicas = rate x (month seconds / H) x sum over the H hours of the day
(``load_profile``) of (k - m)+ x f.

Checked against a simulation of Poisson arrivals (tests/test_serverless.py).
"""

from __future__ import annotations

import numpy as np

__all__ = ["billed_share", "cold_share", "burst_cost", "hour_rates"]


def billed_share(lam, span_s, cold_s):
    """Share of time [fraction] a replica is billed: 1 - e^{-lambda D} / (1 + lambda c e^{-lambda D}).

    ``lam`` [1/s] arrivals at the replica, ``span_s`` D = latency + scale-down window [s], ``cold_s`` c [s].

    >>> round(float(billed_share(1 / 60, 62.0, 0.0)), 6)  # one request a minute, 2 s latency, 60 s window
    0.644181
    """
    lam, span, cold = (np.asarray(x, dtype=float) for x in (lam, span_s, cold_s))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-lam * span)
        return 1.0 - e / (1.0 + lam * cold * e)


def cold_share(lam, span_s, cold_s):
    """Share of requests [fraction] that arrive at a replica scaled to zero and wait for its start:
    e^{-lambda D} / (1 + lambda c e^{-lambda D})."""
    lam, span, cold = (np.asarray(x, dtype=float) for x in (lam, span_s, cold_s))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-lam * span)
        return e / (1.0 + lam * cold * e)


def hour_rates(requests, shares, month_s):
    """Arrival rate of each hour of the day [requests/s], shape (n, H): R x share_h x H / month seconds, with
    ``shares`` (n, H) the hours' shares of a day's requests (H = 1: a flat day)."""
    shares = np.asarray(shares, dtype=float)
    h = shares.shape[1]
    r = np.asarray(requests, dtype=float).reshape(-1, 1)
    return r * shares * h / np.asarray(month_s, dtype=float).reshape(-1, 1)


def _replicas(lam, seconds_at_util):
    """Replicas the hour's traffic keeps busy at the target utilisation [count, >= 1]: max(1, lambda x s / u)."""
    return np.maximum(1.0, lam * np.asarray(seconds_at_util, dtype=float).reshape(-1, 1))


def burst_cost(requests, shares, month_s, rate, seconds_at_util, min_replicas, span_s, cold_s):
    """Monthly cost [money/month] of the replicas above the warm ones, per row (see module doc).

    ``rate`` [money per replica-second], ``seconds_at_util`` s / u [replica-s per request], ``min_replicas`` the
    warm replicas [count], ``span_s`` latency + window [s], ``cold_s`` cold start [s]; arrays of one value per row,
    ``shares`` (n, H).
    """
    lam = hour_rates(requests, shares, month_s)
    k = _replicas(lam, seconds_at_util)
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731
    extra = np.maximum(k - col(min_replicas), 0.0)
    f = billed_share(lam / k, col(span_s), col(cold_s))
    hours = lam.shape[1]
    return np.asarray(rate, dtype=float) * np.asarray(month_s, dtype=float) / hours * (extra * f).sum(axis=1)


def burst_cold_share(requests, shares, month_s, seconds_at_util, min_replicas, span_s, cold_s):
    """Share of the month's requests [fraction] that wait for a cold start: none while the warm replicas serve the
    hour; else each hour's replicas' cold share, weighted by the hour's requests."""
    lam = hour_rates(requests, shares, month_s)
    k = _replicas(lam, seconds_at_util)
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731
    scaling = k > col(min_replicas)
    q = np.where(scaling, cold_share(lam / k, col(span_s), col(cold_s)), 0.0)
    total = lam.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (q * lam).sum(axis=1) / total, np.where(np.asarray(min_replicas) > 0, 0.0, 1.0))
