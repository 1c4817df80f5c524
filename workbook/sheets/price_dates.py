"""Price dates and grades in formulas (``costengine.price_rules``; ``docs/pricing.md#the-blank-choice-rule``).

A ``price_date`` is text ``YYYY-MM-DD``; :func:`day_number` turns it into a day number with DATE (0 when blank
or not a date), so the age of a price at the catalog's date is ``c_catalog_day - day number`` [days]: arithmetic
on a constant written at build time, never TODAY(), so the workbook stays deterministic and does not age.
"""

from __future__ import annotations

from costengine.price_rules import PRIMARY_GRADES, catalog_date

__all__ = ["day_number", "primary_grade", "usable_price", "price_age_formula"]


def day_number(ref: str) -> str:
    """The day number of the ``YYYY-MM-DD`` text in ``ref`` (a formula, no ``=``); 0 when blank or not a date."""
    t, n = f"TRIM({ref})", lambda pattern: f'LEN("{pattern}")'  # noqa: E731 - positions in YYYY-MM-DD
    year, month = f"VALUE(LEFT({t},{n('YYYY')}))", f"VALUE(MID({t},{n('YYYY-')}+1,{n('MM')}))"
    d = f"DATE({year},{month},VALUE(RIGHT({t},{n('DD')})))"
    return f"IF(LEN({t})={n('YYYY-MM-DD')},IF(ISNUMBER({d}),{d},0),0)"


def primary_grade(ref: str) -> str:
    """TRUE when the grade in ``ref`` is primary (:data:`costengine.price_rules.PRIMARY_GRADES`)."""
    return "OR(" + ",".join(f'LOWER(TRIM({ref}))="{g}"' for g in PRIMARY_GRADES) + ")"


def usable_price(day: str, grade: str) -> str:
    """TRUE when a price of day number ``day`` (a cell) and grade ``grade`` (a cell) passes the rule's date and
    grade parts (:func:`costengine.price_rules.eligible`): primary, dated, at most c_max_price_age days old."""
    return f"AND({primary_grade(grade)},{day}>0,c_catalog_day-{day}<=c_max_price_age)"


def price_age_formula(what: str, row: str, row_id: str, prefix: str, priced: str | None = None) -> str:
    """The staleness note of the catalog row ``row`` (a place in ``<prefix>_price_day``; ``row_id`` its id), as
    :func:`costengine.price_rules.stale_note` words it; "" when the row is not a number, when the price is recent
    or (``priced``: a name of the price column) the row has no price. The catalog's date is written in at build
    time."""
    at = catalog_date()
    day = f"INDEX({prefix}_price_day,{row})"
    age = f"c_catalog_day-{day}"
    text = (
        f'IF({day}=0,"price of {what} "&{row_id}&" is undated (catalog {at})",IF({age}>c_stale_days,'
        f'"price of {what} "&{row_id}&" dated "&TRIM(INDEX({prefix}_price_date,{row}))&", "&TEXT({age},"0")'
        f'&" days before the catalog ({at})",""))'
    )
    if priced:
        text = f'IF(ISNUMBER(INDEX({priced},{row})),{text},"")'
    return f'=IF(ISNUMBER({row}),{text},"")'
