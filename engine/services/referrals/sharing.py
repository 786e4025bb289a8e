"""What a provider receives of a person's data: the one rule pages, API, PDF and notifications go through.

The pathway declares it in pathway.yaml (`engine.pathways.sharing`, pathways/README.md).

When a referral is sent, the fields of the consent's scope for its sector are recorded on it
(`shared_fields`) and in the case's history; a provider then reads exactly those, and only until
`provider_access_after_closure` after the referral was closed. A pathway that declares no sharing
shares nothing personal.

`engine.services.referrals.view.show_referral` is the one reader: the API uses it; a provider's
referral page or PDF must call it too (none existed when this rule was written). Notifications carry
no personal field at all (see notifications/), so nothing there needs the rule.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select

from engine.pathways.folder import METADATA_FILE
from engine.pathways.sharing import SharingRule, rule_of
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.store.models import PathwayFileRow, PathwayVersionRow, ReferralRow

_cache: dict[str, SharingRule] = {}
_lock = threading.Lock()


def sharing_rule(session, pathway_version_id: int) -> SharingRule:
    """The sharing rule of a published pathway version (read once per process: versions never change)."""
    content_hash = session.scalar(select(PathwayVersionRow.content_hash).where(PathwayVersionRow.id == pathway_version_id))
    if content_hash in _cache:
        return _cache[content_hash]
    raw = session.scalar(select(PathwayFileRow.content).where(
        PathwayFileRow.version_id == pathway_version_id, PathwayFileRow.path == METADATA_FILE))
    loaded = load_untrusted_yaml(raw) if raw is not None else None
    rule = rule_of(loaded) if isinstance(loaded, dict) and not isinstance(loaded, YamlProblem) else SharingRule()
    with _lock:
        _cache[content_hash] = rule
    return rule


def provider_access_ended(referral: ReferralRow, rule: SharingRule, now: datetime) -> bool:
    """Whether the provider's access to the referral's personal data has ended (closed long enough ago)."""
    return referral.closed_at is not None and now >= referral.closed_at + rule.access_after_closure
