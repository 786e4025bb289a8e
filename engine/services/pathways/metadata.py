"""A published version's pathway.yaml, read once per process (versions never change), and the rules taken from it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select

from engine.pathways.case_fields import CaseFields, case_fields_of
from engine.pathways.folder import METADATA_FILE
from engine.pathways.groups import GroupRules, rules_of
from engine.pathways.need_fields import NeedFields, need_fields_of
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.store.models import PathwayFileRow, PathwayVersionRow

T = TypeVar("T")

_cache: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def pathway_metadata(session, pathway_version_id: int, content_hash: str | None = None) -> dict[str, Any]:
    """The pathway.yaml of a published version as a mapping (empty when it has none or it is unreadable).

    A step that loaded the version already knows its content hash: given, nothing is read on a hit.
    """
    if content_hash is None:
        content_hash = session.scalar(select(PathwayVersionRow.content_hash).where(PathwayVersionRow.id == pathway_version_id))
    if content_hash in _cache:
        return _cache[content_hash]
    raw = session.scalar(select(PathwayFileRow.content).where(
        PathwayFileRow.version_id == pathway_version_id, PathwayFileRow.path == METADATA_FILE))
    loaded = load_untrusted_yaml(raw) if raw is not None else None
    metadata = loaded if isinstance(loaded, dict) and not isinstance(loaded, YamlProblem) else {}
    with _lock:
        _cache[content_hash] = metadata
    return metadata


_derived: dict[tuple[str, Callable], Any] = {}


def derived_from_metadata(session, pathway_version_id: int, derive: Callable[[dict[str, Any]], T],
                          content_hash: str | None = None) -> T:
    """`derive(pathway.yaml)` of a published version, computed once per process and version."""
    if content_hash is None:
        content_hash = session.scalar(select(PathwayVersionRow.content_hash).where(PathwayVersionRow.id == pathway_version_id))
    key = (content_hash, derive)
    if key not in _derived:
        derived = derive(pathway_metadata(session, pathway_version_id, content_hash))
        with _lock:
            _derived[key] = derived
    return _derived[key]


def group_rules(session, pathway_version_id: int, content_hash: str | None = None) -> GroupRules:
    """Who does the version's drawn tasks (its `groups:` declaration and the defaults), read once per version."""
    return derived_from_metadata(session, pathway_version_id, rules_of, content_hash)


def case_fields(session, pathway_version_id: int, content_hash: str | None = None) -> CaseFields:
    """Which form fields the version's cases take their priority, risk level, region and closure reason from."""
    return derived_from_metadata(session, pathway_version_id, case_fields_of, content_hash)


def need_fields(session, pathway_version_id: int, content_hash: str | None = None) -> NeedFields:
    """What the version's referral steps call the case's needs, one need, and a need's sector and urgency."""
    return derived_from_metadata(session, pathway_version_id, need_fields_of, content_hash)
