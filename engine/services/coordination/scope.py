"""Who may read which indicators, and the filters every indicator query shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement

from engine.access import Actor, can_view_indicators
from engine.domain import Role
from engine.errors import AccessDenied
from engine.store.models import CaseRow, ReferralRow


@dataclass(frozen=True)
class IndicatorFilters:
    """Period [start, end) in UTC, and optional region, provider, sector and pathway version."""

    start: datetime
    end: datetime
    region: str | None = None
    provider_id: int | None = None
    sector: str | None = None
    pathway_version_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """The cases a reader's counts may include: every case (None) or one organisation's."""

    organisation_id: int | None


def indicator_scope(actor: Actor) -> Scope:
    """Coordinators count every case; a supervisor only the cases of their organisation (which they may open)."""
    if not can_view_indicators(actor):
        raise AccessDenied(f"{actor.username} may not read the mechanism's indicators")
    return Scope(None if actor.has(Role.COORDINATOR) else actor.organisation_id)


def case_conditions(scope: Scope, filters: IndicatorFilters) -> list[ColumnElement]:
    """What every counted case must meet: the reader's scope, the region and the pathway version."""
    conditions: list[ColumnElement] = []
    if scope.organisation_id is not None:
        conditions.append(CaseRow.organisation_id == scope.organisation_id)
    if filters.region:
        conditions.append(CaseRow.region == filters.region)
    if filters.pathway_version_id is not None:
        conditions.append(CaseRow.pathway_version_id == filters.pathway_version_id)
    return conditions


def referral_conditions(scope: Scope, filters: IndicatorFilters) -> list[ColumnElement]:
    """What every counted referral must meet: its case's conditions, the provider and the sector."""
    return case_conditions(scope, filters) + referral_only_conditions(filters)


def referral_only_conditions(filters: IndicatorFilters) -> list[ColumnElement]:
    """The provider and sector filters, which the referral row answers by itself."""
    conditions: list[ColumnElement] = []
    if filters.provider_id is not None:
        conditions.append(ReferralRow.provider_organisation_id == filters.provider_id)
    if filters.sector:
        conditions.append(ReferralRow.sector == filters.sector)
    return conditions


def in_period(column, filters: IndicatorFilters) -> ColumnElement:
    """`column` falls within the filters' period."""
    return and_(column >= filters.start, column < filters.end)
