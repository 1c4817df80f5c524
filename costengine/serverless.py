"""Per-second (serverless) billing as providers bill it: a replica is paid from its start (the cold start, weights
loaded) while it serves, and for the scale-down window after its last request (``docs/model.md#per-second-billing``).

One replica sees Poisson arrivals at rate lambda [1/s]; it is billed until w [s] after its last request ends, and
started (c [s], billed) when a request finds it scaled to zero. Idle stretches past the window are not billed; each
ends with a cold start. With A the share of time the replica is down when starts cost nothing, a renewal argument
(unbilled stretches ~ Exp(lambda), one per cold start; the starts add to the replica's busy time) gives

    billed share  f = 1 - A / (1 + lambda c E)
    cold share    q = A / (1 + lambda c E)   (of the requests, those that wait for a start)

- requests that overlap (a derived layout: the engine batches them, each in flight for its latency L alone):
  the replica is up while a request is in flight or within w of the last one ending, the covered stretch of a
  one-dimensional Boolean model: E = A = e^{-lambda (L + w)};
- requests served one at a time (a typed ``seconds_per_request`` s: the replica-seconds each takes): an M/G/1
  queue, busy share rho = lambda s, idle stretches ~ Exp(lambda), each past the window with probability
  E = e^{-lambda w}: A = (1 - rho) E.

f -> 1 (always up) when arrivals are frequent; with w = c = 0 a typed s bills its busy seconds, lambda s. The
traffic of an hour is spread over k = max(1, lambda x s / u) replicas (s: replica-seconds a request occupies at the
planned batch, u: the target utilisation), each seeing lambda / k; the ``min_replicas`` warm replicas are paid all
month (the option's fixed cost) and serve the hour alone while k <= min_replicas; above, the k - min_replicas
others are billed at f. Monthly cost of those replicas = rate x (month seconds / H) x sum over the H hours of the
day (``load_profile``) of (k - m)+ x f.

Both cases are checked against simulations of Poisson arrivals (tests/test_serverless.py).
"""

from __future__ import annotations

import numpy as np

__all__ = ["billed_share", "cold_share", "burst_cost", "burst_cold_share", "hour_rates"]


def _down(lam, span_s, cold_s, busy_s):
    """The unbilled share of time (1 - lambda b) E / (1 + lambda c E), E = e^{-lambda D} (see module doc)."""
    lam, span, cold, busy = (np.asarray(x, dtype=float) for x in (lam, span_s, cold_s, busy_s))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-lam * span)
        return (1.0 - lam * busy) * e / (1.0 + lam * cold * e)


def billed_share(lam, span_s, cold_s, busy_s=0.0):
    """Share of time [fraction] a replica is billed: 1 - (1 - lambda b) E / (1 + lambda c E), E = e^{-lambda D}.

    ``lam`` [1/s] arrivals at the replica, ``span_s`` D [s] (overlapping requests: latency + scale-down window;
    one at a time: the window), ``cold_s`` c [s], ``busy_s`` b [s] (0 for overlapping requests; the seconds each
    takes when they are served one at a time).

    >>> round(float(billed_share(1 / 60, 62.0, 0.0)), 6)  # one request a minute, 2 s latency, 60 s window
    0.644181
    >>> round(float(billed_share(0.25, 0.0, 0.0, 2.0)), 6)  # one at a time, no window: the busy share
    0.5
    """
    return 1.0 - _down(lam, span_s, cold_s, busy_s)


def cold_share(lam, span_s, cold_s, busy_s=0.0):
    """Share of requests [fraction] that arrive at a replica scaled to zero and wait for its start (one per unbilled
    stretch, whose mean is 1 / lambda): the unbilled share of time."""
    return _down(lam, span_s, cold_s, busy_s)


def hour_rates(requests, shares, month_s):
    """Arrival rate of each hour of the day [requests/s], shape (n, H): R x share_h x H / month seconds, with
    ``shares`` (n, H) the hours' shares of a day's requests (H = 1: a flat day)."""
    shares = np.asarray(shares, dtype=float)
    h = shares.shape[1]
    r = np.asarray(requests, dtype=float).reshape(-1, 1)
    return r * shares * h / np.asarray(month_s, dtype=float).reshape(-1, 1)


def _col(x) -> np.ndarray:
    """One value per row as a column [n, 1]."""
    return np.asarray(x, dtype=float).reshape(-1, 1)


def _hours(requests, shares, month_s, seconds_at_util):
    """Each hour's arrivals [1/s] and the replicas they keep busy at the target utilisation [count, >= 1]:
    max(1, lambda x s / u); both shape (n, H)."""
    lam = hour_rates(requests, shares, month_s)
    return lam, np.maximum(1.0, lam * _col(seconds_at_util))


def burst_cost(requests, shares, month_s, rate, seconds_at_util, min_replicas, span_s, cold_s, busy_s=0.0):
    """Monthly cost [money/month] of the replicas above the warm ones, per row (see module doc).

    ``rate`` [money per replica-second], ``seconds_at_util`` s / u [replica-s per request], ``min_replicas`` the
    warm replicas [count], ``span_s``, ``cold_s``, ``busy_s`` as :func:`billed_share` [s]; arrays of one value per
    row, ``shares`` (n, H).
    """
    lam, k = _hours(requests, shares, month_s, seconds_at_util)
    extra = np.maximum(k - _col(min_replicas), 0.0)
    f = billed_share(lam / k, _col(span_s), _col(cold_s), _col(busy_s))
    hours = lam.shape[1]
    rate = np.asarray(rate, dtype=float)
    out = rate * np.asarray(month_s, dtype=float) / hours * (extra * f).sum(axis=1)
    # requests served one at a time with no window, no start and no warm replica bill exactly their busy seconds,
    # R x s x rate (the sum over the hours gives it up to rounding; written so that it ties with a line exactly)
    busy, span, cold, m = (
        np.broadcast_to(np.asarray(x, dtype=float), out.shape) for x in (busy_s, span_s, cold_s, min_replicas)
    )
    exact = (busy > 0) & (span == 0) & (cold == 0) & (m == 0)
    return np.where(exact, rate * np.asarray(requests, dtype=float).reshape(-1) * busy, out)


def burst_cold_share(requests, shares, month_s, seconds_at_util, min_replicas, span_s, cold_s, busy_s=0.0):
    """Share of the month's requests [fraction] that wait for a cold start: none while the warm replicas serve the
    hour; else each hour's replicas' cold share, weighted by the hour's requests."""
    lam, k = _hours(requests, shares, month_s, seconds_at_util)
    scaling = k > _col(min_replicas)
    q = np.where(scaling, cold_share(lam / k, _col(span_s), _col(cold_s), _col(busy_s)), 0.0)
    total = lam.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (q * lam).sum(axis=1) / total, np.where(np.asarray(min_replicas) > 0, 0.0, 1.0))
