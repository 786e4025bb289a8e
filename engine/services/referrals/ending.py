"""Referrals the pathway ends itself: expired (the provider did not answer in time) or withdrawn
(someone chose another provider for the need).

A boundary event marked ``aiguillage.referral = expire`` (a timer) or ``withdraw`` (an event the
pathway throws, such as a coordinator's "reassigned"; `engine.runtime.referral_endings`) ends, in
the step that fires it (the sweep's, or a person's step), the referral of its need's branch:
`expired` or `revoked`, closed at the step's time, its escalations still waiting closed as
overtaken, the provider's access to the person's data ended at once
(`engine.services.referrals.sharing.provider_access_ended`), and the case's caseworkers and the
provider's focal points told (`referral_expired`, `referral_withdrawn`). The step's history names
the provider (`referral_ended`). Each fired event is handled once: the mark it gets is saved with
the workflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.domain import ReferralState
from engine.runtime.human_tasks import instance_of
from engine.runtime.referral_endings import EXPIRE, WITHDRAW, fired_endings, mark_handled
from engine.services.cases.sync import referral_for_instance
from engine.services.referrals.moves import move_referral, referral_payload
from engine.store.models import Organisation

if TYPE_CHECKING:
    from engine.services.cases.step import Step

# Each move: the referral's end state, and the message its people get.
ENDINGS = {
    EXPIRE: (ReferralState.EXPIRED, "referral_expired"),
    WITHDRAW: (ReferralState.REVOKED, "referral_withdrawn"),
}


def end_referrals(step: Step) -> int:
    """End the referrals whose ending events fired during this step; the number ended."""
    ended = 0
    for event, move in fired_endings(step.workflow):
        mark_handled(event)
        state, message = ENDINGS[move]
        referral = referral_for_instance(step, instance_of(event), event.data)
        if referral is None or referral.id is None or not referral.state.can_go_to(state):
            # Nothing left waiting for a provider (never sent, or already answered or ended): the
            # event's flow goes on, and the history says that no referral was there to end.
            key = "expiry_without_referral" if move == EXPIRE else "withdrawal_without_referral"
            step.details.setdefault(key, []).append(event.task_spec.bpmn_id)
            continue
        move_referral(step, referral, state)
        referral.closed_at = step.now
        provider = step.session.get(Organisation, referral.provider_organisation_id)
        step.details.setdefault("referral_ended", []).append(
            {"referral": referral.id, "state": state.value, "provider": provider.slug if provider is not None else None})
        step.notify(message, **referral_payload(referral))
        ended += 1
    return ended
