"""A published version's pathway.yaml, read once per process (versions never change), and the rules taken from it."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from engine.pathways.folder import METADATA_FILE
from engine.pathways.groups import GroupRules, rules_of
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.store.models import PathwayFileRow, PathwayVersionRow

_cache: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def pathway_metadata(session, pathway_version_id: int) -> dict[str, Any]:
    """The pathway.yaml of a published version as a mapping (empty when it has none or it is unreadable)."""
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


def group_rules(session, pathway_version_id: int) -> GroupRules:
    """Who does the version's drawn tasks (its `groups:` declaration and the defaults)."""
    return rules_of(pathway_metadata(session, pathway_version_id))
