"""Deserialized workflows kept between the steps of one process: a case stepped twice in a row is not rebuilt from JSON.

A workflow is mutable and a step changes it in place, so an entry is *taken* (removed) by the step
that uses it and put back only once that step has committed, under the case's new version. An
entry is served only when the database, the case, its version and the exact saved JSON the step
has just read all match the ones it was made from: a case changed by another process (a higher
version), a rolled-back step (never put back), or another database with the same ids (different
JSON, different engine) cannot be served a stale workflow.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

# About a hundred kilobytes each in memory for a Cameroon case: a few hundred recent cases.
MAX_ENTRIES = 256

_entries: OrderedDict[tuple, tuple[str, Any]] = OrderedDict()
_lock = threading.Lock()


def take(database: object, case_id: int, lock_version: int, saved_json: str) -> Any | None:
    """The workflow saved as `saved_json` at this version, now owned by the caller; None when not kept."""
    with _lock:
        entry = _entries.pop((id(database), case_id, lock_version), None)
    if entry is None:
        return None
    kept_json, workflow = entry
    return workflow if kept_json == saved_json else None


def put(database: object, case_id: int, lock_version: int, saved_json: str, workflow: Any) -> None:
    """Keep a committed step's workflow under the case's new version (the oldest entries go first)."""
    with _lock:
        _entries[(id(database), case_id, lock_version)] = (saved_json, workflow)
        _entries.move_to_end((id(database), case_id, lock_version))
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    """Forget every kept workflow (as a restarted process would)."""
    with _lock:
        _entries.clear()
