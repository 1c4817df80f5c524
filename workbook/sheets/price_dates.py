"""Price dates and grades in formulas (``costengine.price_rules``; ``docs/pricing.md#the-blank-choice-rule``).

A ``price_date`` is text ``YYYY-MM-DD``; :func:`day_number` turns it into a day number with DATE (0 when blank
or not a date), so the age of a price at the catalog's date is ``c_catalog_day - day number`` [days]: arithmetic
on a constant written at build time, never TODAY(), so the workbook stays deterministic and does not age.
"""

from __future__ import annotations

from costengine.price_rules import PRIMARY_GRADES

__all__ = ["day_number", "primary_grade", "usable_price"]


def day_number(ref: str) -> str:
    """The day number of the ``YYYY-MM-DD`` text in ``ref`` (a formula, no ``=``); 0 when blank or not a date."""
    t = f"TRIM({ref})"
    d = f"DATE(VALUE(LEFT({t},4)),VALUE(MID({t},6,2)),VALUE(MID({t},9,2)))"
    return f"IF(LEN({t})=10,IF(ISNUMBER({d}),{d},0),0)"


def primary_grade(ref: str) -> str:
    """TRUE when the grade in ``ref`` is primary (:data:`costengine.price_rules.PRIMARY_GRADES`)."""
    return "OR(" + ",".join(f'LOWER(TRIM({ref}))="{g}"' for g in PRIMARY_GRADES) + ")"


def usable_price(day: str, grade: str) -> str:
    """TRUE when a price of day number ``day`` (a cell) and grade ``grade`` (a cell) passes the rule's date and
    grade parts (:func:`costengine.price_rules.eligible`): primary, dated, at most c_max_price_age days old."""
    return f"AND({primary_grade(grade)},{day}>0,c_catalog_day-{day}<=c_max_price_age)"
