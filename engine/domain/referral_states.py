"""The states of a referral and the moves allowed between them (see docs: the referral domain)."""

from __future__ import annotations

from enum import StrEnum


class ReferralState(StrEnum):
    """Where a referral is; each maps onto a FHIR Task status."""

    DRAFT = "draft"  # prepared, waiting for consent (FHIR draft)
    SENT = "sent"  # sent to the provider (requested)
    ACKNOWLEDGED = "acknowledged"  # the provider confirmed receipt (received)
    ACCEPTED = "accepted"  # the provider will serve the person (accepted)
    DECLINED = "declined"  # the provider refused, with a reason (rejected)
    REDIRECTED = "redirected"  # the provider sent it on to another provider (rejected + new referral)
    APPOINTMENT_BOOKED = "appointment_booked"  # a date is set (in-progress)
    DELIVERED = "delivered"  # the service was delivered (completed)
    NOT_DELIVERED = "not_delivered"  # the service was not delivered (failed)
    REVOKED = "revoked"  # withdrawn by the caseworker or on consent withdrawal (cancelled)
    EXPIRED = "expired"  # its deadline passed and it was escalated to an end (failed)

    @property
    def is_final(self) -> bool:
        """True when no further move is possible."""
        return not TRANSITIONS[self]

    def can_go_to(self, other: ReferralState) -> bool:
        """Whether a referral in this state may move to `other`."""
        return other in TRANSITIONS[self]


_S = ReferralState

# Revocation (consent withdrawn, caseworker decision) is possible from every open state;
# expiry only once the referral has left the caseworker's hands.
TRANSITIONS: dict[ReferralState, frozenset[ReferralState]] = {
    _S.DRAFT: frozenset({_S.SENT, _S.REVOKED}),
    _S.SENT: frozenset({_S.ACKNOWLEDGED, _S.REVOKED, _S.EXPIRED}),
    _S.ACKNOWLEDGED: frozenset({_S.ACCEPTED, _S.DECLINED, _S.REDIRECTED, _S.REVOKED, _S.EXPIRED}),
    _S.ACCEPTED: frozenset(
        {_S.APPOINTMENT_BOOKED, _S.DELIVERED, _S.NOT_DELIVERED, _S.REVOKED, _S.EXPIRED}
    ),
    _S.APPOINTMENT_BOOKED: frozenset({_S.DELIVERED, _S.NOT_DELIVERED, _S.REVOKED, _S.EXPIRED}),
    _S.DECLINED: frozenset(),
    _S.REDIRECTED: frozenset(),
    _S.DELIVERED: frozenset(),
    _S.NOT_DELIVERED: frozenset(),
    _S.REVOKED: frozenset(),
    _S.EXPIRED: frozenset(),
}

# States in which a referral still waits for someone: the ones consent withdrawal revokes.
OPEN_STATES: frozenset[ReferralState] = frozenset(s for s, moves in TRANSITIONS.items() if moves)
