"""A provider's follow-up: referrals received, acknowledgement and service times against the commitment, declines, capacity.

The commitment is the DOMAIN default for each priority until the directory's service profiles carry
each provider's own (then read them here instead of `DEFAULT_COMMITMENTS`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from engine.access import Actor, can_view_provider_follow_up
from engine.domain import Priority, ReferralState
from engine.errors import AccessDenied, NotFound
from engine.services.coordination.indicators import referral_records, referral_table
from engine.services.coordination.scope import IndicatorFilters, Scope
from engine.services.coordination.suppression import DEFAULT_THRESHOLD, Counts, Table, build_table
from engine.store.models import Organisation, OrganisationService, ReferralRow
from engine.store.unit_of_work import UnitOfWork

# Acknowledgement and time-to-service commitments by priority (DOMAIN defaults), in hours.
DEFAULT_COMMITMENTS = {
    Priority.EMERGENCY.value: (2, 24),
    Priority.URGENT.value: (24, 72),
    Priority.NORMAL.value: (72, 14 * 24),
}


@dataclass(frozen=True)
class ServiceCapacity:
    name: str
    sector: str
    capacity: int | None  # persons per month; None when not stated
    active: bool


@dataclass(frozen=True)
class ProviderFollowUp:
    provider_id: int
    name: str
    by_priority: Table
    declined: Table
    open_referrals: int
    services: tuple[ServiceCapacity, ...]
    commitments: dict[str, tuple[int, int]]


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
        referrals = referral_records(session, Scope(None), own)
        open_states = [s for s in ReferralState if not s.is_final and s != ReferralState.DRAFT]
        open_count = len(session.scalars(
            select(ReferralRow.id).where(ReferralRow.provider_organisation_id == provider_id,
                                         ReferralRow.state.in_(open_states))
        ).all())
        services = tuple(
            ServiceCapacity(s.name, s.sector.value, s.capacity, s.active)
            for s in session.scalars(select(OrganisationService).where(OrganisationService.organisation_id == provider_id))
        )
        name = organisation.name
    declined = Counter(r.decline_reason or "other" for r in referrals if r.state == ReferralState.DECLINED)
    return ProviderFollowUp(
        provider_id=provider_id,
        name=name,
        by_priority=referral_table("provider_referrals_by_priority", "priority", referrals, lambda r: r.priority,
                                   threshold, [p.value for p in Priority]),
        declined=build_table("provider_declined_by_reason", "decline_reason", sorted(declined),
                             [("declined", Counts(declined, sum(declined.values())))], threshold),
        open_referrals=open_count,
        services=services,
        commitments=DEFAULT_COMMITMENTS,
    )
