"""Referral states: every referral can end, and only the documented moves are allowed."""

from __future__ import annotations

from engine.domain import ReferralState
from engine.domain.referral_states import OPEN_STATES, TRANSITIONS

S = ReferralState


def test_a_provider_acknowledges_then_decides_then_reports_the_outcome():
    path = [S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.APPOINTMENT_BOOKED, S.DELIVERED]
    assert all(a.can_go_to(b) for a, b in zip(path, path[1:]))


def test_a_referral_cannot_skip_the_acknowledgment_or_come_back_from_an_end():
    assert not S.SENT.can_go_to(S.ACCEPTED)
    assert not S.DELIVERED.can_go_to(S.SENT)
    assert not S.DECLINED.can_go_to(S.ACCEPTED)


def test_every_open_referral_can_be_revoked_and_none_stays_pending_forever():
    assert all(state.can_go_to(S.REVOKED) for state in OPEN_STATES)
    # From every state, some sequence of moves reaches a final state.
    for start in ReferralState:
        seen, frontier = {start}, [start]
        while frontier:
            state = frontier.pop()
            for following in TRANSITIONS[state] - seen:
                seen.add(following)
                frontier.append(following)
        assert any(state.is_final for state in seen)


def test_the_final_states_are_the_documented_ones():
    assert {s for s in ReferralState if s.is_final} == {
        S.DECLINED, S.REDIRECTED, S.DELIVERED, S.NOT_DELIVERED, S.REVOKED, S.EXPIRED,
    }
