"""Which cloud offers a blank ``cloud_offer`` may choose from: the scenario's ``cloud_region`` and ``cloud_tier``.

**Region.** An offer's ``region`` column is free text ("us-east-1", "eu-north1 (Nebius AI Cloud)", "all OCI
regions", ...). It maps to the regions ``us``, ``eu`` and ``apac`` by a word rule, the same in the engine and in
the workbook's formulas (the Cloud Offers sheet): the text is lower-cased, the characters of
:data:`SEPARATORS` become spaces and a space is put at each end; the offer is in a region when the text contains
one of that region's words (:data:`REGION_WORDS`: a whole word, so "us" does not match "australia", or
the start of a word), and in every region when it contains " all " and "region" (a provider whose list price is the same
in all its regions, e.g. "all OCI regions"). A text that names no region (a multi-cloud serverless pool, a
community marketplace, "Hyperstack regions") maps to no region: such an offer is chosen only when
``cloud_region`` is ``any``.

**Tier.** The catalog's ``tier`` column: ``production`` (the providers' own data centres, secure or dedicated
offers) or ``community`` (a marketplace of third-party hosts, e.g. RunPod Community Cloud). ``cloud_tier`` =
``production`` (the default) leaves community offers out; ``any`` keeps them. A user's offer with a blank tier is
``production``.

A typed ``cloud_offer`` is used as typed, whatever its region and tier. docs/pricing.md, "Region and tier".
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "REGIONS",
    "CLOUD_REGIONS",
    "CLOUD_TIERS",
    "OFFER_TIERS",
    "SEPARATORS",
    "REGION_WORDS",
    "ALL_REGIONS_WORDS",
    "normal_region_text",
    "offer_regions",
    "region_label",
    "offer_allowed",
    "filter_offers",
    "filter_label",
    "offer_where",
]

#: The regions an offer can be in.
REGIONS: tuple[str, ...] = ("us", "eu", "apac")
#: The values of the scenario key ``cloud_region``.
CLOUD_REGIONS: tuple[str, ...] = (*REGIONS, "any")
#: The values of the scenario key ``cloud_tier``.
CLOUD_TIERS: tuple[str, ...] = ("production", "any")
#: The values of the offer catalog's ``tier`` column (blank = production).
OFFER_TIERS: tuple[str, ...] = ("production", "community")
#: Characters read as word breaks in an offer's region text.
SEPARATORS: tuple[str, ...] = ("(", ")", ";", ",", "/", "-", "_", ".", ":")
#: The words that put an offer in a region (cloud providers' region names: AWS/GCP/Nebius "us-..."/"eu-..."/"ap-...",
#: Azure "eastus"/"westeurope", OCI "eu-amsterdam-1"/"ap-tokyo-1"): a whole word, or the start of a word where it
#: ends in "*".
REGION_WORDS: dict[str, tuple[str, ...]] = {
    "us": ("us", "usa", "eastus*", "westus*", "centralus*", "northcentralus*", "southcentralus*", "north america",
           "united states"),
    "eu": ("eu", "europe*", "westeurope", "northeurope", "francecentral", "germanywestcentral", "swedencentral",
           "uksouth", "uk", "amsterdam", "frankfurt", "paris", "london", "finland", "iceland", "norway",
           "netherlands", "germany", "france"),
    "apac": ("ap", "apac", "asia*", "japan*", "tokyo", "osaka", "singapore", "sydney", "australia*", "korea*",
             "seoul", "india", "mumbai", "hyderabad"),
}  # fmt: skip
#: Both must appear for an offer priced alike in all of a provider's regions ("all OCI regions").
ALL_REGIONS_WORDS: tuple[str, str] = (" all ", "region")


def normal_region_text(text: str) -> str:
    """The region text as the rule reads it: lower case, separators as spaces, a space at each end.

    >>> normal_region_text("eu-north1 (Nebius AI Cloud)")
    ' eu north1  nebius ai cloud  '
    """
    t = str(text).lower()
    for ch in SEPARATORS:
        t = t.replace(ch, " ")
    return f" {t} "


def offer_regions(text: str) -> tuple[str, ...]:
    """The regions (of :data:`REGIONS`) an offer whose region column reads ``text`` is in; () when it names none.

    >>> offer_regions("us-east-1"), offer_regions("US (Secure Cloud; same price in CA/EU zones)")
    (('us',), ('us', 'eu'))
    >>> offer_regions("all OCI regions"), offer_regions("Modal (multi-cloud)"), offer_regions("Australia")
    (('us', 'eu', 'apac'), (), ('apac',))
    """
    t = normal_region_text(text)
    if all(w in t for w in ALL_REGIONS_WORDS):
        return REGIONS
    return tuple(r for r in REGIONS if any(_pattern(w) in t for w in REGION_WORDS[r]))


def _pattern(word: str) -> str:
    """The text a region word matches in a normal region text: " word " (whole), " word" (a start, "word*")."""
    return f" {word[:-1]}" if word.endswith("*") else f" {word} "


def region_label(text: str) -> str:
    """The regions of an offer as shown with it: "eu", "us, eu", or "no region stated".

    >>> region_label("eastus"), region_label("Hyperstack regions")
    ('us', 'no region stated')
    """
    return ", ".join(offer_regions(text)) or "no region stated"


def offer_allowed(offer: Any, region: str = "any", tier: str = "production") -> bool:
    """Whether a blank ``cloud_offer`` may choose ``offer`` under ``cloud_region`` and ``cloud_tier``."""
    in_region = region == "any" or region in offer_regions(offer.region)
    in_tier = tier == "any" or (offer.tier or "production") == "production"
    return in_region and in_tier


def filter_offers(offers: list, region: str = "any", tier: str = "production") -> list:
    """The offers a blank ``cloud_offer`` may choose from, in catalog order."""
    return [o for o in offers if offer_allowed(o, region, tier)]


def filter_label(region: str = "any", tier: str = "production") -> str:
    """The filter in words, for messages: "" when nothing is left out; e.g. "in region eu, production tier".

    >>> filter_label("eu", "production"), filter_label("any", "any")
    ('in region eu, production tier', '')
    """
    parts = ([f"in region {region}"] if region != "any" else []) + (["production tier"] if tier != "any" else [])
    return ", ".join(parts)


def offer_where(catalog: Any, offer_id: str) -> str:
    """An offer's regions and tier as shown with it, e.g. "eu, production" ("" for an id not in ``catalog``;
    None: the shipped catalogs)."""
    from .catalogs import load_catalog

    offer = (catalog or load_catalog()).offers.get(str(offer_id).lower())
    return "" if offer is None else f"{region_label(offer.region)}, {offer.tier}"
