"""Referrals that expire: the provider did not answer before the pathway's expiry timer fired.

A boundary timer marked ``aiguillage.referral = expire`` (`engine.runtime.referral_timers`) ends,
in the step that fires it (the sweep's, or a person's step that refreshes the case's timers), the
referral of its need's branch as `expired`: closed at the step's time, its escalations still
waiting closed as overtaken, the provider's access to the person's data ended at once
(`engine.services.referrals.sharing.provider_access_ended`), and the case's caseworkers and the
provider's focal points told (`referral_expired`). Each fired timer is handled once: the mark it
gets is saved with the workflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.domain import ReferralState
from engine.runtime.human_tasks import instance_of
from engine.runtime.referral_timers import fired_expiry_timers, mark_handled
from engine.services.cases.sync import referral_for_instance
from engine.services.referrals.moves import move_referral, referral_payload

if TYPE_CHECKING:
    from engine.services.cases.step import Step


def expire_referrals(step: Step) -> int:
    """Expire the referrals whose expiry timers fired during this step; the number expired."""
    expired = 0
    for timer in fired_expiry_timers(step.workflow):
        mark_handled(timer)
        referral = referral_for_instance(step, instance_of(timer), timer.data)
        if referral is None or referral.id is None or not referral.state.can_go_to(ReferralState.EXPIRED):
            # Nothing left waiting for a provider (never sent, or already answered or ended): the
            # timer's flow goes on, and the history says that no referral was there to expire.
            step.details.setdefault("expiry_without_referral", []).append(timer.task_spec.bpmn_id)
            continue
        move_referral(step, referral, ReferralState.EXPIRED)
        referral.closed_at = step.now
        step.notify("referral_expired", **referral_payload(referral))
        expired += 1
    return expired
