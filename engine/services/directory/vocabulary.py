"""The directory's own words: target groups, sexes, language codes, and how region names are read.

These belong to the mechanism, not to one pathway: a pathway says which of its fields carry them
(`aiguillage.match.*` properties on the send-referral step).
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from functools import cache
from pathlib import Path

import yaml

# Groups a service may be reserved for (HSDS attribute taxonomy `aiguillage:target_group`).
TARGET_GROUPS = (
    "unaccompanied_children",  # unaccompanied or separated children
    "children",  # anyone under 18
    "trafficking_survivors",  # presumed or identified victims of trafficking
    "violence_survivors",  # survivors of violence, gender-based violence included
    "persons_with_disabilities",
    "pregnant_women",
    "women",
    "elderly",
    "returnees",  # returning migrants in general
)
SEXES = ("female", "male")
CAPACITY_PERIODS = ("day", "week", "month", "year")
# The language ids used by the directory and the pathway's forms, and their ISO 639 codes (HSDS `language.code`).
LANGUAGE_CODES = {"french": "fr", "english": "en", "fulfulde": "ff", "pidgin": "wes", "arabic": "ar", "other": "und"}
LANGUAGE_IDS = {code: name for name, code in LANGUAGE_CODES.items()}

SECTOR_TAXONOMY = "aiguillage:sector"
TARGET_GROUP_TAXONOMY = "aiguillage:target_group"
PRIORITY_TAXONOMY = "aiguillage:priority"  # value: the response commitment in hours
SEX_TAXONOMY = "aiguillage:sex"
AGREEMENT_TAXONOMY = "aiguillage:agreement"  # on organisations: mou, data_sharing
PROVIDER_TAXONOMY = "aiguillage:role"  # on organisations: provider


def region_id(name: str) -> str:
    """A region's id from its name as a file writes it: "Extrême-Nord" and "extreme_nord" are the same region."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def language_id(code_or_name: str) -> str:
    """The directory's id for an ISO 639 code ("fr") or a name ("French", "french")."""
    text = code_or_name.strip().lower()
    if text in LANGUAGE_IDS:
        return LANGUAGE_IDS[text]
    return region_id(text)


REGIONS_FILE = Path(__file__).with_name("regions.yaml")


@cache
def region_borders() -> dict[str, frozenset[str]]:
    """Each region and the regions it shares a border with (regions.yaml, both ways)."""
    declared = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8")) or {}
    borders: dict[str, set[str]] = {}
    for region, neighbours in (declared.get("adjacent") or {}).items():
        for neighbour in neighbours or []:
            borders.setdefault(region_id(region), set()).add(region_id(neighbour))
            borders.setdefault(region_id(neighbour), set()).add(region_id(region))
    return {region: frozenset(neighbours) for region, neighbours in borders.items()}


@cache
def region_distances(region: str) -> dict[str, int]:
    """How many borders separate `region` from each region joined to it (itself 0); empty when unknown."""
    borders = region_borders()
    if region not in borders:
        return {}
    distances = {region: 0}
    queue = deque([region])
    while queue:
        here = queue.popleft()
        for neighbour in borders[here]:
            if neighbour not in distances:
                distances[neighbour] = distances[here] + 1
                queue.append(neighbour)
    return distances
