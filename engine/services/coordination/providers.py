"""A provider's follow-up: referrals received, acknowledgement and service times against the commitment, declines, capacity.

The commitment to serve is the provider's own, from its directory service profiles (`response_hours`
by priority; the shortest of its active services), else the DOMAIN default for the priority; the
acknowledgement commitment is the DOMAIN default (the directory does not state one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import select

from engine.access import Actor, can_view_provider_follow_up
from engine.domain import Priority, ReferralState
from engine.errors import AccessDenied, NotFound
from engine.services.coordination.disclosure import Link, protect_together
from engine.services.coordination.referral_figures import ReferralGrouping, referral_figures, referral_tables
from engine.services.coordination.scope import IndicatorFilters, Scope
from engine.services.coordination.suppression import DEFAULT_THRESHOLD, Counts, Share, Table, build_table
from engine.store.models import Organisation, OrganisationService, ReferralRow
from engine.store.unit_of_work import UnitOfWork

# Acknowledgement and time-to-service commitments by priority (DOMAIN defaults), in hours.
DEFAULT_COMMITMENTS = {
    Priority.EMERGENCY.value: (2, 24),
    Priority.URGENT.value: (24, 72),
    Priority.NORMAL.value: (72, 14 * 24),
}


# The follow-up's tables count the same referrals (see `disclosure`).
FOLLOW_UP_LINKS = (
    Link("provider_referrals_by_priority", "provider_declined_by_reason", "declined", rows=False),
    Link("provider_referrals_by_priority", "provider_within_commitment_by_priority", "acknowledged"),
    Link("provider_referrals_by_priority", "provider_within_commitment_by_priority", "delivered"),
)


@dataclass(frozen=True)
class ServiceCapacity:
    name: str
    sector: str
    capacity: int | None  # persons per `capacity_period`; None when not stated
    capacity_period: str
    available: int | None  # places free now, as last reported
    active: bool


@dataclass(frozen=True)
class Commitment:
    acknowledge_hours: int
    service_hours: int
    stated: bool  # the provider's own (directory), else the default


@dataclass(frozen=True)
class ProviderFollowUp:
    provider_id: int
    name: str
    by_priority: Table
    declined: Table
    open_referrals: int
    services: tuple[ServiceCapacity, ...]
    commitments: dict[str, Commitment]
    within_commitment: Table


def list_followed_providers(uow: UnitOfWork, actor: Actor) -> list[tuple[int, str]]:
    """The providers the reader may follow: every one for a coordinator, else their own organisation."""
    with uow:
        rows = uow.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.is_provider.is_(True)).order_by(Organisation.name)
        ).all()
    return [(id_, name) for id_, name in rows if can_view_provider_follow_up(actor, id_)]


def provider_follow_up(uow: UnitOfWork, actor: Actor, provider_id: int, filters: IndicatorFilters,
                       threshold: int = DEFAULT_THRESHOLD) -> ProviderFollowUp:
    """How one provider answers its referrals over the filters' period (403 for readers who may not follow it)."""
    if not can_view_provider_follow_up(actor, provider_id):
        raise AccessDenied(f"{actor.username} may not follow provider {provider_id}")
    with uow:
        session = uow.session
        organisation = session.get(Organisation, provider_id)
        if organisation is None:
            raise NotFound(f"organisation {provider_id} does not exist")
        # Counted over every case: these are the referrals addressed to the provider, which it may see.
        own = IndicatorFilters(filters.start, filters.end, filters.region, provider_id, filters.sector,
                               filters.pathway_version_id)
        figures = referral_figures(session, Scope(None), own)
        open_states = [s for s in ReferralState if not s.is_final and s != ReferralState.DRAFT]
        open_count = len(session.scalars(
            select(ReferralRow.id).where(ReferralRow.provider_organisation_id == provider_id,
                                         ReferralRow.state.in_(open_states))
        ).all())
        rows = list(session.scalars(select(OrganisationService).where(OrganisationService.organisation_id == provider_id)))
        services = tuple(
            ServiceCapacity(s.name, s.sector.value, s.capacity, s.capacity_period, s.capacity_available, s.active)
            for s in rows
        )
        commitments = _commitments([s.response_hours or {} for s in rows if s.active])
        name = organisation.name
    declined = figures.declined_by_reason
    delivered, in_time, ack, ack_in_time = Counter(), Counter(), Counter(), Counter()
    for key, hours in figures.hours_to_acknowledge.items():
        ack[key.priority] += len(hours)
        ack_in_time[key.priority] += sum(h <= commitments[key.priority].acknowledge_hours for h in hours)
    for key, hours in figures.hours_to_service.items():
        delivered[key.priority] += len(hours)
        in_time[key.priority] += sum(h <= commitments[key.priority].service_hours for h in hours)
    priorities = [p.value for p in Priority]
    within = build_table("provider_within_commitment_by_priority", "priority", priorities, [
        ("acknowledged", Counts(ack, sum(ack.values()))),
        ("acknowledged_within_commitment", Counts(ack_in_time, sum(ack_in_time.values()))),
        ("acknowledged_within_commitment_share", Share("acknowledged_within_commitment", "acknowledged")),
        ("delivered", Counts(delivered, sum(delivered.values()))),
        ("delivered_within_commitment", Counts(in_time, sum(in_time.values()))),
        ("delivered_within_commitment_share", Share("delivered_within_commitment", "delivered")),
    ], threshold)
    by_priority, declined_table, within = protect_together([
        *referral_tables([ReferralGrouping("provider_referrals_by_priority", "priority", attrgetter("priority"),
                                           tuple(priorities))], figures, threshold),
        build_table("provider_declined_by_reason", "decline_reason", sorted(declined),
                    [("declined", Counts(declined, sum(declined.values())))], threshold),
        within,
    ], FOLLOW_UP_LINKS, threshold)
    return ProviderFollowUp(
        provider_id=provider_id,
        name=name,
        by_priority=by_priority,
        declined=declined_table,
        open_referrals=open_count,
        services=services,
        commitments=commitments,
        within_commitment=within,
    )


def _commitments(stated: list[dict]) -> dict[str, Commitment]:
    """Per priority: the default acknowledgement time, and the shortest response time a service states."""
    found = {}
    for priority, (ack, service) in DEFAULT_COMMITMENTS.items():
        hours = [int(h) for promises in stated for p, h in promises.items()
                 if p == priority and isinstance(h, (int, float)) and h > 0]
        found[priority] = Commitment(ack, min(hours) if hours else service, bool(hours))
    return found
