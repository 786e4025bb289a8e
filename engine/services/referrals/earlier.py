"""The referrals a need went through before: what the caseworker who sends it again reads first.

A need sent to a provider that declined it, redirected it, let it expire or had it withdrawn comes
back to its send step. The step shows each earlier referral of the same branch: to whom, how it
ended and when, the coded reason of a decline, and what the provider wrote with its decision (the
provider it suggests instead, for a redirection), in the pathway's words once labelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.pathways.need_fields import NeedFields
from engine.runtime.human_tasks import HumanTask
from engine.store.models import Organisation, ReferralRow


@dataclass(frozen=True)
class EarlierReferral:
    """One ended referral of the need, oldest first."""

    referral_id: int
    provider: str | None
    state: str
    ended_at: datetime | None  # decided, or closed (expired, withdrawn)
    decline_reason: str | None  # the decision form's option, as a code
    answer: dict[str, Any] = field(default_factory=dict)  # what the provider wrote with its decision


def earlier_referrals(session, task: HumanTask, needs: NeedFields,
                      referrals: Iterable[ReferralRow]) -> tuple[EarlierReferral, ...]:
    """The ended referrals of the need a send step is for (`needs`: the pathway's names; `referrals`: the case's)."""
    key = needs.branch_key(task.instance, task.data)
    ended = [r for r in referrals if key is not None and r.instance_key == key and r.state.is_final and r.id is not None]
    if not ended:
        return ()
    ids = {r.provider_organisation_id for r in ended if r.provider_organisation_id is not None}
    names = {org_id: name for org_id, name in session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))} if ids else {}
    return tuple(
        EarlierReferral(
            referral_id=r.id,
            provider=names.get(r.provider_organisation_id),
            state=r.state.value,
            ended_at=r.decided_at or r.closed_at,
            decline_reason=r.decline_reason,
            answer=dict(r.answer or {}),
        )
        for r in sorted(ended, key=lambda r: r.id)
    )
