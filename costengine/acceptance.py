"""What a scenario accepts, written once for the engine and the workbook's Inputs checks.

Three rules that every front end applies the same way:

- **numbers typed as text**: a text that is a plain decimal number (optional sign, digits, one point,
  an optional exponent; spaces around it) is read as that number, anything else ("about 1000", "5%",
  "1,000", "1_000") is not a number, in every locale: the point is always the decimal point. The workbook's
  check applies the same rule with VALUE after a test of the characters (:data:`NUMBER_CHARS`), the point
  swapped for the locale's decimal separator first (a comma-decimal Excel reads "0.5" the same).
- **dated model ids**: an ``api_model`` the token-price catalog does not list, such as
  ``claude-sonnet-4-5-20250929``, is priced as the id without its date suffix (:data:`DATE_SUFFIX`:
  ``-YYYYMMDD``, ``@YYYYMMDD`` or ``-YYYY-MM-DD``); ids are compared without regard to case.
- **numbers as a finance user types them** (the command line's ``--set KEY=VALUE`` and ``--requests N``
  only): ``10M``, ``2.5k``, ``1.2B``, ``10,000,000`` (:func:`finance_number`). Not part of the first rule on
  purpose: the workbook's Inputs sheet reads a typed text with VALUE after a test of its characters, and a
  comma or a suffix would read differently there (a comma is the decimal point in German or French Excel);
  the CLI turns such text into a plain number before the scenario sees it, so the engine and the workbook
  keep reading typed text the same way.
- **sanity ranges**: values that the model accepts but that are implausible (``growth_rate_monthly = 5``,
  500% a month) give a warning, not an error (:data:`SANITY_RANGES`, :func:`sanity_warnings`).

>>> number_from_text(" 1e3 "), number_from_text("about 1000")
(1000.0, 'about 1000')
>>> finance_number("10M"), finance_number("2.5k"), finance_number("10,000,000"), finance_number("10Q")
(10000000.0, 2500.0, 10000000.0, None)
>>> api_model_base("claude-sonnet-4-5-20250929"), api_model_base("gpt-4o-2024-05-13")
('claude-sonnet-4-5', 'gpt-4o')
>>> sanity_warnings({"growth_rate_monthly": 5.0})
[('growth_rate_monthly', 'unusual: above 0.5 (plausible -0.2 .. 0.5: 50% growth a month is already extreme)')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

__all__ = [
    "NUMBER_CHARS",
    "number_from_text",
    "SUFFIXES",
    "FINANCE_EXAMPLES",
    "finance_number",
    "DATE_SUFFIX",
    "DATE_SUFFIX_LENGTHS",
    "api_model_base",
    "SanityRange",
    "SANITY_RANGES",
    "sanity_warnings",
    "sanity_message",
    "options_of_key",
]

#: The characters a number typed as text may contain (after trimming, in lower case).
NUMBER_CHARS = "0123456789.e+-"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")

#: A date at the end of a model id: ``-20250929``, ``@20250929`` or ``-2024-05-13``.
DATE_SUFFIX = re.compile(r"[-@](\d{8}|\d{4}-\d{2}-\d{2})$")
#: Lengths of the two date-suffix forms (with their separator) [characters].
DATE_SUFFIX_LENGTHS = (9, 11)


def number_from_text(value: Any) -> Any:
    """A text that is a plain decimal number as a float; any other value unchanged (for the model to check).

    >>> number_from_text("+.5"), number_from_text("5%"), number_from_text(3)
    (0.5, '5%', 3)
    """
    if isinstance(value, str):
        text = value.strip().lower()
        if _NUMBER.fullmatch(text):
            return float(text)
    return value


#: Multipliers a finance-style number may end with (case-insensitive): thousand, million, billion, trillion.
SUFFIXES: Mapping[str, int] = {"k": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9, "t": 10**12}
#: What the error of an unreadable number shows as examples.
FINANCE_EXAMPLES = "e.g. 10M, 2.5k, 10,000,000"
_FINANCE = re.compile(
    r"(?P<sign>[+-]?)(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)"
    r"(?:(?P<exp>e[+-]?\d+)|\s*(?P<suffix>[a-z]+))?"
)


def finance_number(value: Any) -> float | None:
    """A number as a finance user types it [the number itself], or ``None`` when ``value`` is not one.

    Accepted: a plain number (``1000``, ``5e6``, ``-0.5``), thousands separated by commas in groups of three
    (``10,000,000``, ``1,234.5``; ``1,5`` is not a number: a decimal comma is ambiguous), and a multiplier
    suffix of :data:`SUFFIXES` (``10M``, ``2.5k``, ``1.2B``, ``3 bn``). Computed in decimal, so ``1.2B`` is
    exactly 1,200,000,000. Numbers (not bool) are returned as floats.

    >>> finance_number("1.2B"), finance_number(" 3 bn "), finance_number("1,5"), finance_number(7)
    (1200000000.0, 3000000000.0, None, 7.0)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    m = _FINANCE.fullmatch(value.strip().lower())
    if m is None:
        return None
    suffix = m["suffix"]
    if suffix is not None and suffix not in SUFFIXES:
        return None
    number = Decimal(m["digits"].replace(",", "") + (m["exp"] or "")) * SUFFIXES.get(suffix or "", 1)
    return float(-number if m["sign"] == "-" else number)


def api_model_base(model: str) -> str:
    """The model id without a trailing date (unchanged when it has none)."""
    return DATE_SUFFIX.sub("", model.strip())


class SanityRange(NamedTuple):
    """The plausible range of a key [the key's unit; USD for money keys, scaled by ``usd_to_currency``];
    outside it the value is kept but flagged."""

    low: float
    high: float
    why: str
    money: bool = False


#: Plausible ranges of the keys where one exists (a typed value outside gives a warning; the bounds of the
#: scenario model are the errors). Money ranges are in USD and scale with ``usd_to_currency``. Wider than any
#: realistic deployment, so that a value outside is most often a typing slip (0.13 typed as 13 per kWh).
SANITY_RANGES: Mapping[str, SanityRange] = {
    "requests_per_month": SanityRange(1.0, 1e11, "beyond 100 billion requests a month"),
    "prompt_tokens": SanityRange(1.0, 1_000_000.0, "the longest context windows hold about a million tokens"),
    "output_tokens": SanityRange(1.0, 100_000.0, "the longest outputs models allow are ~100k tokens"),
    "peak_to_average": SanityRange(1.0, 10.0, "hourly peaks beyond 10x the mean are rare"),
    "api_input_price_per_mtok": SanityRange(0.01, 200.0, "listed input prices per million tokens", True),
    "api_output_price_per_mtok": SanityRange(0.01, 1_000.0, "listed output prices per million tokens", True),
    "api_cached_input_price_per_mtok": SanityRange(0.0, 200.0, "listed cached-input prices per million tokens", True),
    "api_cache_write_price_per_mtok": SanityRange(0.0, 400.0, "listed cache-write prices per million tokens", True),
    "api_reasoning_tokens": SanityRange(0.0, 100_000.0, "hidden tokens count toward the ~100k-token output limits"),
    "reasoning_tokens": SanityRange(0.0, 100_000.0, "hidden tokens count toward the ~100k-token output limits"),
    "api_monthly_fixed": SanityRange(0.0, 1e6, "a fixed API fee above a million USD a month", True),
    "api_batch_discount": SanityRange(0.0, 0.9, "batch APIs give about 50% off"),
    "model_params_billion": SanityRange(0.1, 3_000.0, "the largest open models have ~1,000 billion parameters"),
    "memory_overhead": SanityRange(1.0, 3.0, "serving memory beyond 3x the weights"),
    "seconds_per_request": SanityRange(0.001, 600.0, "a replica busy more than 10 minutes per request"),
    "target_utilization": SanityRange(0.3, 0.95, "serving near 100% load misses latency targets"),
    "hours_per_month": SanityRange(600.0, 744.0, "a month has 672 to 744 hours"),
    "staff_monthly": SanityRange(0.0, 1e6, "staff above a million USD a month", True),
    "staff_cost_per_fte_year": SanityRange(10_000.0, 1_000_000.0, "loaded cost of one person per year", True),
    "cloud_staff_fte": SanityRange(0.0, 50.0, "more than 50 people for one model deployment"),
    "onprem_staff_fte": SanityRange(0.0, 50.0, "more than 50 people for one model deployment"),
    "cloud_price_per_gpu_hour": SanityRange(0.05, 30.0, "cloud GPU prices per GPU-hour", True),
    "cloud_monthly_overhead": SanityRange(0.0, 1e6, "a cloud overhead above a million USD a month", True),
    "cloud_spot_spare": SanityRange(0.0, 1.0, "more than doubling capacity for spot interruptions"),
    "onprem_capex_per_server": SanityRange(500.0, 5e6, "GPU server prices", True),
    "onprem_interest_rate": SanityRange(0.0, 0.3, "financing above 30% a year"),
    "onprem_maintenance_monthly": SanityRange(0.0, 1e5, "maintenance above 100,000 USD a month per server", True),
    "onprem_power_kw": SanityRange(0.05, 30.0, "an 8-GPU server draws 6 to 15 kW"),
    "onprem_pue": SanityRange(1.05, 2.5, "the best hyperscale sites reach ~1.1, old rooms ~2.5"),
    "onprem_price_per_kwh": SanityRange(0.02, 0.6, "industrial electricity prices per kWh", True),
    "growth_rate_monthly": SanityRange(-0.2, 0.5, "50% growth a month is already extreme"),
    "discount_rate_annual": SanityRange(0.0, 0.3, "a cost of capital above 30% a year"),
    "usd_to_currency": SanityRange(0.001, 100_000.0, "an exchange rate per USD"),
}

_PLAUSIBLE = "plausible {low:g} .. {high:g}: {why}"


def sanity_message(key: str, value: float, usd_to_currency: float = 1.0) -> str:
    """The warning for ``value`` of ``key`` ("" when it is plausible or the key has no range); a money key's
    range is scaled by ``usd_to_currency`` [currency per USD]."""
    rng = SANITY_RANGES.get(key)
    if rng is None:
        return ""
    scale = usd_to_currency if rng.money else 1.0
    low, high = rng.low * scale, rng.high * scale
    plausible = _PLAUSIBLE.format(low=low, high=high, why=rng.why)
    if value > high:
        return f"unusual: above {high:g} ({plausible})"
    if value < low:
        return f"unusual: below {low:g} ({plausible})"
    return ""


def sanity_warnings(values: Mapping[str, Any], keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(key, warning) for each value of ``values`` outside its plausible range, in :data:`SANITY_RANGES` order.

    Only ``keys`` are checked when given (e.g. the keys a user typed: defaults are plausible by construction);
    money ranges scale with ``values["usd_to_currency"]`` (1 when absent or not a number).
    """
    fx = values.get("usd_to_currency")
    fx = float(fx) if isinstance(fx, (int, float)) and not isinstance(fx, bool) and fx > 0 else 1.0
    wanted = None if keys is None else set(keys)
    out = []
    for key in SANITY_RANGES:
        if wanted is not None and key not in wanted:
            continue
        v = values.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            msg = sanity_message(key, float(v), fx)
            if msg:
                out.append((key, msg))
    return out


#: Keys that only the decision analysis (Projection) reads: no monthly cost depends on them.
_DECISION_ONLY = ("growth_rate_monthly", "horizon_months", "discount_rate_annual")
#: Keys every option's monthly cost reads.
_ALL_OPTIONS = ("requests_per_month", "prompt_tokens", "output_tokens", "currency", "usd_to_currency")


def options_of_key(key: str) -> tuple[str, ...]:
    """The options (api, cloud, onprem) whose monthly cost depends on ``key``: a bad value of the key makes
    only those answers unavailable (the others are still computable).

    >>> options_of_key("api_model"), options_of_key("model"), options_of_key("horizon_months")
    (('api',), ('cloud', 'onprem'), ())
    """
    if key in _DECISION_ONLY:
        return ()
    if key in _ALL_OPTIONS:
        return ("api", "cloud", "onprem")
    for option in ("api", "cloud", "onprem"):
        if key.startswith(option + "_"):
            return (option,)
    return ("cloud", "onprem")  # the open model, its serving and the staff of self-hosting
