"""One move of a referral between states: checked against `ReferralState`'s transitions, recorded in
the step's history, and followed by the escalations it overtakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.domain import ReferralState
from engine.errors import Conflict
from engine.services.escalations.overtaken import close_overtaken
from engine.store.models import ReferralRow

if TYPE_CHECKING:
    from engine.services.cases.step import Step


def move_referral(step: Step, referral: ReferralRow, state: ReferralState) -> None:
    """Move the referral to `state` at the step's time, or refuse (`Conflict`) a move its state forbids."""
    if not referral.state.can_go_to(state):
        raise Conflict(f"referral {referral.id} is {referral.state.value}; it cannot become {state.value}")
    referral.state = state
    referral.updated_at = step.now
    step.details.setdefault("referral_moves", []).append([referral.id, state.value])
    overtaken = close_overtaken(step.session, referral, step.now)
    if overtaken:
        step.details.setdefault("escalations_overtaken", []).extend(overtaken)


def referral_payload(referral: ReferralRow) -> dict:
    """What an outbox row about a referral carries: ids and codes, never personal data."""
    return {
        "referral_id": referral.id,
        "provider_organisation_id": referral.provider_organisation_id,
        "sector": referral.sector.value,
        "priority": referral.priority.value,
        "state": referral.state.value,
    }
