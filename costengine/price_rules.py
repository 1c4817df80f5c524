"""Which catalog prices a blank choice may use, and how old a price is (``docs/pricing.md#the-blank-choice-rule``).

Every price row of ``cloud_offers.csv`` and ``servers.csv`` carries ``price_date`` (the day the price was published
or quoted; blank when unknown), ``read_on`` (the day it was read) and ``grade`` (the kind of source,
:data:`GRADES`). The catalog records its own date in ``templates/catalog_date.txt`` (:func:`catalog_date`); ages
are counted from it, never from today, so answers and tests do not change with the calendar.

The rule: a blank ``cloud_offer`` or the standard server is chosen only among rows whose price is
:func:`eligible`: a primary grade (:data:`PRIMARY_GRADES`) and a price date at most :data:`MAX_AGE_DAYS` before
the catalog's date; among the offers of one provider and instance with a price at the term, only the newest
counts (:func:`superseded`). A typed id uses any row.
"""

from __future__ import annotations

import functools
import math
from datetime import date
from importlib import resources
from typing import Any

from .errors import CostModelError

__all__ = [
    "GRADES",
    "PRIMARY_GRADES",
    "MAX_AGE_DAYS",
    "STALE_DAYS",
    "catalog_date",
    "parse_date",
    "age_days",
    "eligible",
    "superseded",
    "RULE",
    "stale_note",
    "server_rank",
]

#: The kinds of source a price may have: a vendor's or a provider's own price page or API, a reseller's quote or
#: listing, a maintained public catalog of prices, a paper, a secondary report (a blog or news page quoting a
#: price), a tutorial.
GRADES: tuple[str, ...] = ("vendor", "provider", "reseller", "catalog", "paper", "secondary", "tutorial")
#: The grades a blank choice may use (PRODUCT.md "Catalogs": a provider's page or API, a vendor or reseller quote,
#: a maintained catalog).
PRIMARY_GRADES: tuple[str, ...] = ("vendor", "provider", "reseller", "catalog")
#: The oldest price date a blank choice may use [days before the catalog's date] (PRODUCT.md: within a year).
MAX_AGE_DAYS = 365
#: A price older than this [days before the catalog's date], or undated, gets a staleness note (PRODUCT.md).
STALE_DAYS = 180
#: The rule in one line, for messages.
RULE = (
    f"a blank choice uses only prices dated within {MAX_AGE_DAYS} days of the catalog's date from a primary source "
    f"({', '.join(PRIMARY_GRADES)}), the newest per provider, instance and term"
)


@functools.cache
def catalog_date() -> str:
    """The catalog's own date, ``YYYY-MM-DD`` (``templates/catalog_date.txt``)."""
    text = resources.files("costengine.data").joinpath("catalog_date.txt").read_text(encoding="utf-8").strip()
    parse_date(text, "catalog_date.txt")
    return text


def parse_date(text: str, key: str) -> date | None:
    """A ``YYYY-MM-DD`` text as a date; None when blank; raises naming ``key`` otherwise."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else date.fromisoformat("x")
    except ValueError:
        raise CostModelError(key, f"must be a date YYYY-MM-DD (got {text!r})") from None


def age_days(price_date: str, at: str | None = None) -> float:
    """Days [d] from ``price_date`` to the catalog's date (``at``, default :func:`catalog_date`); NaN when undated."""
    d = parse_date(price_date, "price_date")
    if d is None:
        return math.nan
    return float((parse_date(at or catalog_date(), "catalog_date") - d).days)


def eligible(row: Any, at: str | None = None) -> bool:
    """Whether a blank choice may use the row's price: a primary grade and a price date within
    :data:`MAX_AGE_DAYS` of the catalog's date (``age_days`` <= MAX_AGE_DAYS; a date after it counts as age 0)."""
    age = age_days(row.price_date, at)
    return row.grade in PRIMARY_GRADES and not math.isnan(age) and age <= MAX_AGE_DAYS


def server_rank(row: Any, at: str | None = None) -> int:
    """How a blank choice ranks a server's price: 1 when it passes the rule (:func:`eligible`) or the row has no
    price (the price is then estimated and flagged as such), 2 when it is primary and dated but older than
    :data:`MAX_AGE_DAYS` (used only when no row of rank 1 exists; its staleness note shows the age), 0 (never)
    for an undated price or a weak grade (paper, secondary report, tutorial)."""
    if math.isnan(row.price_usd) or eligible(row, at):
        return 1
    return 2 if row.grade in PRIMARY_GRADES and row.price_date else 0


def superseded(row: Any, rows: Any, has_price: Any) -> bool:
    """Whether another row of the same provider and instance (trimmed, case-insensitive) with a price at the term
    (``has_price(row)``) has a later price date (an undated row is older than any dated one): then only that newer
    price counts."""
    key = _key(row.provider, row.instance)
    return any(o.price_date > row.price_date and _key(o.provider, o.instance) == key and has_price(o) for o in rows)


@functools.lru_cache(maxsize=4096)
def _key(provider: str, instance: str) -> tuple[str, str]:
    return provider.strip().lower(), instance.strip().lower()


def stale_note(what: str, row_id: str, price_date: str, at: str | None = None) -> str:
    """A staleness note for the price of ``row_id`` when it is undated or older than :data:`STALE_DAYS`; "" else.

    >>> stale_note("offer", "x", "2025-03-01", "2025-12-07")
    'price of offer x dated 2025-03-01, 281 days before the catalog (2025-12-07)'
    """
    at = at or catalog_date()
    age = age_days(price_date, at)
    if math.isnan(age):
        return f"price of {what} {row_id} is undated (catalog {at})"
    if age > STALE_DAYS:
        return f"price of {what} {row_id} dated {price_date}, {age:.0f} days before the catalog ({at})"
    return ""
