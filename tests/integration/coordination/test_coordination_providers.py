"""A provider's follow-up: its own referrals for itself, any provider for coordinators, nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from coordination_history import START
from engine.domain import ReferralState, Sector
from engine.errors import AccessDenied
from engine.services.coordination.providers import provider_follow_up
from engine.services.coordination.scope import IndicatorFilters

PERIOD = IndicatorFilters(START, START + timedelta(days=31))


def test_a_provider_follows_its_own_acknowledgement_times_and_declines(container, actor, history):
    for i in range(6):
        case = history.case(day=1)
        history.referral(case, "demo-hopital-douala", Sector.HEALTH, day=2, ack_hours=2 * (i + 1),
                         state=ReferralState.DECLINED if i == 0 else ReferralState.ACKNOWLEDGED,
                         decline_reason="no_capacity" if i == 0 else None)
    history.referral(history.case(day=1), "demo-espoir-mhpss", Sector.MHPSS, day=2)
    own = history.orgs["demo-hopital-douala"]
    follow_up = provider_follow_up(container.uow(), actor("demo-health-douala"), own, PERIOD)
    normal = dict(zip(follow_up.by_priority.columns, next(r for r in follow_up.by_priority.rows if r.key == "normal").figures))
    assert normal["sent"].shown == 6 and normal["median_hours_to_acknowledge"].shown == 7.0
    assert follow_up.declined.rows[0].figures[0].hidden == "small"
    assert follow_up.open_referrals == 5


def test_a_provider_may_not_follow_another_and_a_caseworker_none(container, actor, history):
    with pytest.raises(AccessDenied):
        provider_follow_up(container.uow(), actor("demo-health-douala"), history.orgs["demo-espoir-mhpss"], PERIOD)
    with pytest.raises(AccessDenied):
        provider_follow_up(container.uow(), actor("demo-caseworker"), history.orgs["demo-hopital-douala"], PERIOD)
    assert provider_follow_up(container.uow(), actor("demo-coordinator"), history.orgs["demo-espoir-mhpss"], PERIOD)


def test_the_commitment_is_the_provider_s_own_when_its_directory_profile_states_it(container, actor, history):
    from sqlalchemy import select

    from engine.store.models import OrganisationService

    own = history.orgs["demo-hopital-douala"]
    with container.uow() as u:
        for service in u.session.scalars(select(OrganisationService).where(OrganisationService.organisation_id == own)):
            service.response_hours = {"normal": 48}
        u.commit()
    for hours in (10, 20, 30, 40, 60, 70):
        case = history.case(day=1)
        history.referral(case, "demo-hopital-douala", Sector.HEALTH, day=2, ack_hours=1,
                         state=ReferralState.DELIVERED, service_hours=hours)
    follow_up = provider_follow_up(container.uow(), actor("demo-coordinator"), own, PERIOD)
    assert follow_up.commitments["normal"].service_hours == 48 and follow_up.commitments["normal"].stated
    assert not follow_up.commitments["urgent"].stated
    table = follow_up.within_commitment
    normal = dict(zip(table.columns, next(r for r in table.rows if r.key == "normal").figures))
    assert normal["delivered"].shown == 6 and normal["delivered_within_commitment"].hidden == "small"


def test_a_provider_s_counts_include_only_referrals_it_may_open(container, actor, history):
    """Referrals from cases of several organisations, to it and to others: it counts exactly those it may open."""
    from sqlalchemy import select

    from engine.access import can_view_referral
    from engine.store.models import CaseRow, ReferralRow

    for i in range(12):
        case = history.case(org="demo-minas-littoral" if i % 2 else "demo-iom-cameroon", day=1)
        history.referral(case, "demo-hopital-douala" if i % 3 else "demo-espoir-mhpss", Sector.HEALTH, day=2,
                         ack_hours=2, state=ReferralState.ACKNOWLEDGED)
    reader = actor("demo-health-douala")
    follow_up = provider_follow_up(container.uow(), reader, history.orgs["demo-hopital-douala"], PERIOD)
    with container.uow() as u:
        openable = sum(can_view_referral(reader, referral, case) for referral, case in u.session.execute(
            select(ReferralRow, CaseRow).join(CaseRow, CaseRow.id == ReferralRow.case_id)))
    counted = follow_up.by_priority.total.figures[follow_up.by_priority.columns.index("sent")].value
    assert openable == 8 and counted == openable
    assert follow_up.open_referrals == openable
