"""The Cloud Offers sheet: the shipped cloud-offer catalog (one row per instance offer, with sources and
dates), and beside it the columns that pick the offer a scenario uses when ``cloud_offer`` is blank
(``costengine.billing.choose_offer``): among the offers for ``cloud_gpu`` with a price at ``cloud_pricing``
(per-second offers for per-second billing) that pass the blank-choice rule (``costengine.price_rules``: a primary
grade, a price date within a year of the catalog's date ``c_catalog_day``, no newer price of the same provider and
instance at the term), the cheapest per GPU-hour whose instance holds a replica of ``cloud_n_min`` GPUs; when none
holds it, the one with the most GPUs. Ties go to the first in catalog order. Only rows in ``cloud_region`` and
``cloud_tier`` are candidates (``costengine.offer_filter``: the region text read by the word table of the Constants
sheet, the tier column).
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine import load_catalog
from costengine.catalogs import OFFER_COLUMNS
from costengine.offer_filter import ALL_REGIONS_WORDS, REGIONS, SEPARATORS

from ..kit import Book, header_row, put
from .catalog_table import catalog_sheet
from .price_dates import day_number, usable_price

__all__ = ["SHEET", "build"]

SHEET = "Cloud Offers"
#: Columns from the first pick column to the region filter's: the pick columns (6), the user rows' check and the
#: parts its chain is split into (catalog_user: a formula stays within Excel's limits).
_REGION_OFFSET = 10
_UNITS = {
    "gpus_per_instance": "GPUs per instance",
    "on_demand_per_hour_usd": "on demand [USD/instance-h]",
    "spot_per_hour_usd": "spot [USD/instance-h]",
    "commit_1y_per_hour_usd": "1-year commitment [USD/instance-h]",
    "commit_3y_per_hour_usd": "3-year commitment [USD/instance-h]",
    "per_second_usd": "per second (serverless) [USD/instance-s]",
}
_FMT = {
    "gpus_per_instance": "int",
    "on_demand_per_hour_usd": "0.00",
    "spot_per_hour_usd": "0.00",
    "commit_1y_per_hour_usd": "0.00",
    "commit_3y_per_hour_usd": "0.00",
    "per_second_usd": "0.000000",
}


def build(book: Book) -> None:
    """One row per offer, then the user's rows; names ``of_<column>``, ``list_offers`` and the pick columns
    ``of_pick_price``, ``of_pick_score`` (a user row with a problem in its check column is never picked)."""
    cat = load_catalog()
    rows = list(cat.offers.values())
    widths = {
        "A": 30,
        "B": 12,
        "C": 22,
        "D": 12,
        "E": 10,
        "F": 8,
        "G": 10,
        "H": 10,
        "I": 10,
        "J": 10,
        "K": 12,
        "L": 40,
        "M": 11,
        "N": 40,
        "O": 11,
        "P": 11,
        "Q": 10,
        "R": 11,
    }
    first = len(OFFER_COLUMNS) + 2
    ext = catalog_sheet(book, SHEET, OFFER_COLUMNS, rows, _UNITS, "of", _FMT, widths, "list_offers", first + 6)
    ws = book.sheet(SHEET)
    col = {c: get_column_letter(j + 1) for j, c in enumerate(OFFER_COLUMNS)}
    pc, cand, hold, score, day, elig = (get_column_letter(first + k) for k in range(6))
    # after the user rows' check column (first + 6) and the parts its long check chains into (up to 3 beside it):
    # the region and tier filter (costengine.offer_filter)
    norm, *flags, label, allowed = (get_column_letter(first + _REGION_OFFSET + k) for k in range(3 + len(REGIONS)))
    header_row(
        ws,
        1,
        ["region text (as the rule reads it)", *(f"in {x}" for x in REGIONS), "regions", "allowed (region, tier)"],
        first + _REGION_OFFSET,
    )
    header_row(
        ws,
        1,
        [
            "price at the term [USD/GPU-h]",
            "candidate",
            "holds a replica: price",
            "fallback score (GPUs - price/1e6)",
            "price date [day number]",
            "blank choice may use (rule)",
        ],
        first,
    )
    last = ext.block.last
    rng = {c: f"${col[c]}$2:${col[c]}${last}" for c in ("provider", "instance", "gpu")}
    days, cands = f"${day}$2:${day}${last}", f"${cand}$2:${cand}${last}"  # candidates: GPU, price, region and tier
    for r in [*range(2, ext.shipped + 1), *range(ext.block.first, last + 1)]:  # a user row with a problem: none
        ok = f"LEN({ext.check}{r})=0,"
        term = (
            f'IF(cloud_pricing_used="commit_1y",{col["commit_1y_per_hour_usd"]}{r},'
            f'IF(cloud_pricing_used="commit_3y",{col["commit_3y_per_hour_usd"]}{r},'
            f'IF(cloud_pricing_used="spot",{col["spot_per_hour_usd"]}{r},{col["on_demand_per_hour_usd"]}{r})))'
        )
        g = f"{col['gpus_per_instance']}{r}"
        put(
            ws,
            f"{pc}{r}",
            f'=IF(NOT(AND({ok}ISNUMBER({g}))),"",IF(cloud_billing_used="per_second",'
            f'IF(ISNUMBER({col["per_second_usd"]}{r}),{col["per_second_usd"]}{r}*c_seconds_per_hour/{g},""),'
            f'IF(ISNUMBER({term}),{term}/{g},"")))',
            "calc",
            "0.000",
        )
        put(
            ws,
            f"{cand}{r}",
            f"=AND(LOWER(TRIM({col['gpu']}{r}))=LOWER(cloud_gpu_used),ISNUMBER({pc}{r}),{allowed}{r})",
            "calc",
        )
        _region_cells(ws, r, col, (norm, *flags, label, allowed))
        put(ws, f"{day}{r}", f"={day_number(col['price_date'] + str(r))}", "calc", "0")
        newer = (  # another candidate of the same provider and instance with a later price date (superseded)
            f"SUMPRODUCT((LOWER(TRIM({rng['provider']}))=LOWER(TRIM({col['provider']}{r})))"
            f"*(LOWER(TRIM({rng['instance']}))=LOWER(TRIM({col['instance']}{r})))"
            f"*{cands}*({days}>{day}{r}))=0"
        )
        put(
            ws,
            f"{elig}{r}",
            f"=AND({cand}{r},{usable_price(f'{day}{r}', col['grade'] + str(r))},{newer})",
            "calc",
        )
        put(
            ws,
            f"{hold}{r}",
            f'=IF(AND({elig}{r},ISNUMBER(cloud_n_min)),IF({g}>=cloud_n_min,{pc}{r},""),"")',
            "calc",
            "0.000",
        )
        put(ws, f"{score}{r}", f'=IF({elig}{r},{g}-{pc}{r}/c_offer_score_scale,"")', "calc", "0.000000")
    book.names_many(
        [
            ("of_pick_price", SHEET, f"{hold}2:{hold}{last}"),
            ("of_pick_score", SHEET, f"{score}2:{score}{last}"),
            ("of_term_price_gpu", SHEET, f"{pc}2:{pc}{last}"),
            ("of_price_day", SHEET, f"{day}2:{day}{last}"),
            ("of_candidate", SHEET, f"{cand}2:{cand}{last}"),
            ("of_regions", SHEET, f"{label}2:{label}{last}"),
        ]
    )
    for c, w in zip(
        (pc, cand, hold, score, day, elig, norm, *flags, label, allowed), (14, 10, 14, 14, 11, 11, 30, 7, 7, 7, 16, 12)
    ):
        ws.column_dimensions[c].width = w


def _region_cells(ws, r: int, col: dict[str, str], out: tuple[str, ...]) -> None:
    """Row ``r``'s region and tier filter, as :func:`costengine.offer_filter.offer_allowed`: the region text
    normalised (lower case, separators as spaces, a space at each end), whether it is in each region (it contains
    a pattern of the Constants sheet's word table, or " all " and "region"; containment as a shorter SUBSTITUTE),
    the regions as shown, and whether a blank
    cloud_offer may choose the row under cloud_region and cloud_tier (blank tier = production)."""
    norm, *flags, label, allowed = out
    t = f"LOWER({col['region']}{r})"
    for ch in SEPARATORS:
        t = f'SUBSTITUTE({t},"{ch}"," ")'
    put(ws, f"{norm}{r}", f'=" "&{t}&" "', "calc")
    n = f"{norm}{r}"
    every = "AND(" + ",".join(f'LEN(SUBSTITUTE({n},"{w}",""))<LEN({n})' for w in ALL_REGIONS_WORDS) + ")"
    for region, flag in zip(REGIONS, flags):
        put(
            ws,
            f"{flag}{r}",
            f'=OR({every},SUMPRODUCT((c_region_of_word="{region}")*(LEN(SUBSTITUTE({n},c_region_pattern,""))<LEN({n})))>0)',
            "calc",
        )
    joined = "&".join(f'IF({f}{r},"{x} ","")' for x, f in zip(REGIONS, flags))
    put(ws, f"{label}{r}", f'=IF(LEN({joined})=0,"no region stated",SUBSTITUTE(TRIM({joined})," ",", "))', "calc")
    in_region = (
        "".join(f'IF(cloud_region_used="{x}",{f}{r},' for x, f in zip(REGIONS, flags)) + "TRUE" + ")" * len(REGIONS)
    )
    tier = f'OR(LEN(TRIM({col["tier"]}{r}))=0,LOWER(TRIM({col["tier"]}{r}))="production")'
    put(ws, f"{allowed}{r}", f'=AND({in_region},OR(cloud_tier_used="any",{tier}))', "calc")
