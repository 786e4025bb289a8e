"""The mechanism's indicators (DOMAIN.md), computed from the case, referral, consent, task and escalation records.

    report = compute_indicators(uow, actor, IndicatorFilters(start, end, region="littoral"))
    report.table("cases_by_sex").rows

Nothing is counted on the side: every figure is a query over what the steps wrote. Each table is
protected by `suppression` before it leaves this module, so pages and exports cannot show more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select

from engine.access import Actor
from engine.domain import DeadlineKind, EscalationStatus, Priority, ReferralState, Sector, TaskState
from engine.services.coordination.facts import AGE_BANDS, DIMENSIONS
from engine.services.coordination.scope import (
    IndicatorFilters,
    Scope,
    case_conditions,
    in_period,
    indicator_scope,
    referral_conditions,
)
from engine.services.coordination.suppression import (
    DEFAULT_THRESHOLD,
    Counts,
    Figure,
    Medians,
    Row,
    Share,
    Table,
    build_table,
    protect_count,
    protect_counts,
    protect_share,
)
from engine.store.models import CaseFactRow, CaseRow, ConsentRow, EscalationRow, ReferralRow, TaskRow
from engine.store.unit_of_work import UnitOfWork

FOLLOW_UP_STAGE = "follow_up"
ACCEPTED_STATES = frozenset({ReferralState.ACCEPTED, ReferralState.APPOINTMENT_BOOKED, ReferralState.DELIVERED,
                             ReferralState.NOT_DELIVERED})
HOUR = 3600.0
DAY = 86400.0
REFERRAL_COLUMNS = ("sent", "acknowledged", "acknowledged_in_time", "acknowledged_in_time_share", "accepted",
                    "declined", "redirected", "delivered", "delivered_share", "median_hours_to_acknowledge",
                    "median_hours_to_service")


@dataclass(frozen=True)
class IndicatorReport:
    """Every indicator table for one reader and one set of filters."""

    filters: IndicatorFilters
    tables: tuple[Table, ...]
    threshold: int

    def table(self, key: str) -> Table:
        """The table named `key` (KeyError if there is none)."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def compute_indicators(
    uow: UnitOfWork, actor: Actor, filters: IndicatorFilters, threshold: int = DEFAULT_THRESHOLD
) -> IndicatorReport:
    """Every indicator the reader may see, for the filters' period, region, provider, sector and version."""
    return indicators_for_scope(uow, indicator_scope(actor), filters, threshold)


def indicators_for_scope(uow: UnitOfWork, scope: Scope, filters: IndicatorFilters,
                         threshold: int = DEFAULT_THRESHOLD) -> IndicatorReport:
    """Every indicator over the cases of `scope` (the caller has checked who reads them)."""
    with uow:
        session = uow.session
        tables = [
            *_identified(session, scope, filters, threshold),
            _needs_by_sector(session, scope, filters, threshold),
            *_referrals(session, scope, filters, threshold),
            _escalations_by_level(session, scope, filters, threshold),
            _follow_ups(session, scope, filters, threshold),
            _satisfaction(session, scope, filters, threshold),
            _closures(session, scope, filters, threshold),
            _consent_before_referral(session, scope, filters, threshold),
            _consent_events(session, scope, filters, threshold),
        ]
    return IndicatorReport(filters, tuple(tables), threshold)


def _ordered(found: Iterable[Hashable], known: Iterable[Hashable] = ()) -> list:
    """Known codes first in their order, then any other code found, then None ("not recorded") last."""
    known = list(known)
    rest = sorted({k for k in found if k is not None and k not in known}, key=str)
    keys = known + rest
    return keys + ([None] if None in set(found) else [])


def _count_table(key: str, dimension: str, counts: Counter, total: int, threshold: int, known=(), column="cases") -> Table:
    return build_table(key, dimension, _ordered(counts, known), [(column, Counts(counts, total))], threshold)


# ---- persons identified --------------------------------------------------------------------------


def _identified(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    opened = and_(in_period(CaseRow.created_at, filters), *case_conditions(scope, filters))
    by_region = Counter(dict(session.execute(select(CaseRow.region, func.count()).where(opened).group_by(CaseRow.region)).all()))
    total = sum(by_region.values())
    tables = [_count_table("cases_by_region", "region", by_region, total, threshold)]
    for dimension in DIMENSIONS:
        if dimension == "satisfaction":
            continue
        counts = Counter(dict(session.execute(
            select(CaseFactRow.value, func.count())
            .select_from(CaseRow)
            .join(CaseFactRow, and_(CaseFactRow.case_id == CaseRow.id, CaseFactRow.name == dimension))
            .where(opened)
            .group_by(CaseFactRow.value)
        ).all()))
        missing = total - sum(counts.values())
        if missing:
            counts[None] = missing
        known = [label for _low, _high, label in AGE_BANDS] if dimension == "age_group" else ()
        tables.append(_count_table(f"cases_by_{dimension}", dimension, counts, total, threshold, known))
    return tables


# ---- needs ---------------------------------------------------------------------------------------


def _needs_by_sector(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Each (case, sector) with a referral prepared in the period is one need."""
    pairs = (
        select(ReferralRow.case_id, ReferralRow.sector)
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .where(in_period(ReferralRow.created_at, filters), *referral_conditions(scope, filters))
        .distinct()
        .subquery()
    )
    counts = Counter(dict(session.execute(select(pairs.c.sector, func.count()).group_by(pairs.c.sector)).all()))
    counts = Counter({Sector(k).value: v for k, v in counts.items()})
    return _count_table("needs_by_sector", "sector", counts, sum(counts.values()), threshold,
                        [s.value for s in Sector], column="needs")


# ---- referrals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Referral:
    sector: str
    provider_id: int | None
    priority: str
    state: ReferralState
    decline_reason: str | None
    hours_to_acknowledge: float | None
    hours_to_service: float | None
    acknowledged_in_time: bool


def referral_records(session, scope: Scope, filters: IndicatorFilters) -> list[_Referral]:
    """The referrals sent in the period that the reader may count, with their times."""
    ack_escalated = exists().where(
        EscalationRow.referral_id == ReferralRow.id, EscalationRow.deadline_kind == DeadlineKind.REFERRAL_ACK
    )
    rows = session.execute(
        select(
            ReferralRow.sector, ReferralRow.provider_organisation_id, ReferralRow.priority, ReferralRow.state,
            ReferralRow.decline_reason, ReferralRow.sent_at, ReferralRow.acknowledged_at, ReferralRow.outcome_at,
            ack_escalated,
        )
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .where(in_period(ReferralRow.sent_at, filters), *referral_conditions(scope, filters))
    ).all()
    found = []
    for sector, provider_id, priority, state, reason, sent_at, acknowledged_at, outcome_at, escalated in rows:
        delivered = state == ReferralState.DELIVERED and outcome_at is not None
        found.append(_Referral(
            sector=Sector(sector).value,
            provider_id=provider_id,
            priority=Priority(priority).value,
            state=ReferralState(state),
            decline_reason=reason if state == ReferralState.DECLINED else None,
            hours_to_acknowledge=_hours(sent_at, acknowledged_at),
            hours_to_service=_hours(sent_at, outcome_at) if delivered else None,
            acknowledged_in_time=acknowledged_at is not None and not escalated,
        ))
    return found


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0) / HOUR


def referral_table(key: str, dimension, referrals: list[_Referral], key_of, threshold: int, known=()) -> Table:
    """Sent, acknowledged (in time), accepted, declined, redirected, delivered and median times, by `key_of`."""
    measures = {
        "sent": lambda r: True,
        "acknowledged": lambda r: r.hours_to_acknowledge is not None,
        "acknowledged_in_time": lambda r: r.acknowledged_in_time,
        "accepted": lambda r: r.state in ACCEPTED_STATES,
        "declined": lambda r: r.state == ReferralState.DECLINED,
        "redirected": lambda r: r.state == ReferralState.REDIRECTED,
        "delivered": lambda r: r.hours_to_service is not None,
    }
    counts = {name: Counter() for name in measures}
    ack_times: dict = defaultdict(list)
    service_times: dict = defaultdict(list)
    for referral in referrals:
        k = key_of(referral)
        for name, test in measures.items():
            if test(referral):
                counts[name][k] += 1
        if referral.hours_to_acknowledge is not None:
            ack_times[k].append(referral.hours_to_acknowledge)
        if referral.hours_to_service is not None:
            service_times[k].append(referral.hours_to_service)
    columns: list = [(name, Counts(counts[name], sum(counts[name].values()))) for name in measures]
    columns.insert(3, ("acknowledged_in_time_share", Share("acknowledged_in_time", "sent")))
    columns.insert(8, ("delivered_share", Share("delivered", "sent")))
    columns += [
        ("median_hours_to_acknowledge", Medians(ack_times, [t for ts in ack_times.values() for t in ts])),
        ("median_hours_to_service", Medians(service_times, [t for ts in service_times.values() for t in ts])),
    ]
    return build_table(key, dimension, _ordered(counts["sent"], known), columns, threshold)


def _referrals(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    referrals = referral_records(session, scope, filters)
    priorities = [p.value for p in Priority]
    declined = Counter(r.decline_reason or "other" for r in referrals if r.state == ReferralState.DECLINED)
    return [
        referral_table("referrals_by_sector", "sector", referrals, lambda r: r.sector, threshold, [s.value for s in Sector]),
        referral_table("referrals_by_provider", "provider", referrals, lambda r: r.provider_id, threshold),
        referral_table("referrals_by_priority", "priority", referrals, lambda r: r.priority, threshold, priorities),
        referral_table("referral_times_by_provider_and_priority", ("provider", "priority"), referrals,
                       lambda r: (r.provider_id, r.priority), threshold),
        _count_table("declined_by_reason", "decline_reason", declined, sum(declined.values()), threshold,
                     column="declined"),
    ]


# ---- escalations, follow-ups, closures -------------------------------------------------------------


def _escalations_by_level(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    query = (
        select(EscalationRow.level, EscalationRow.status, EscalationRow.at, EscalationRow.resolved_at)
        .join(CaseRow, CaseRow.id == EscalationRow.case_id)
        .where(in_period(EscalationRow.at, filters), *case_conditions(scope, filters))
    )
    if filters.provider_id is not None or filters.sector:
        query = query.join(ReferralRow, ReferralRow.id == EscalationRow.referral_id).where(
            *referral_conditions(Scope(None), IndicatorFilters(filters.start, filters.end, None, filters.provider_id,
                                                               filters.sector, None))
        )
    raised, resolved, times = Counter(), Counter(), defaultdict(list)
    for level, status, at, resolved_at in session.execute(query):
        raised[level] += 1
        if EscalationStatus(status) == EscalationStatus.RESOLVED and resolved_at is not None:
            resolved[level] += 1
            times[level].append(max((resolved_at - at).total_seconds(), 0.0) / HOUR)
    return build_table("escalations_by_level", "level", _ordered(raised, [1, 2, 3]), [
        ("raised", Counts(raised, sum(raised.values()))),
        ("resolved", Counts(resolved, sum(resolved.values()))),
        ("median_hours_to_resolve", Medians(times, [t for ts in times.values() for t in ts])),
    ], threshold)


def _follow_ups(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Follow-up tasks done in the period (the pathway's steps of stage `follow_up`), by region."""
    counts = Counter(dict(session.execute(
        select(CaseRow.region, func.count())
        .select_from(TaskRow)
        .join(CaseRow, CaseRow.id == TaskRow.case_id)
        .where(TaskRow.stage == FOLLOW_UP_STAGE, TaskRow.state == TaskState.COMPLETED,
               in_period(TaskRow.completed_at, filters), *case_conditions(scope, filters))
        .group_by(CaseRow.region)
    ).all()))
    return _count_table("follow_ups_by_region", "region", counts, sum(counts.values()), threshold, column="follow_ups")


def _satisfaction(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """The last satisfaction each person gave at a follow-up in the period."""
    counts = Counter(dict(session.execute(
        select(CaseFactRow.value, func.count())
        .join(CaseRow, CaseRow.id == CaseFactRow.case_id)
        .where(CaseFactRow.name == "satisfaction", in_period(CaseFactRow.recorded_at, filters),
               *case_conditions(scope, filters))
        .group_by(CaseFactRow.value)
    ).all()))
    return _count_table("satisfaction", "satisfaction", counts, sum(counts.values()), threshold, column="persons")


def _closures(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    counts, days = Counter(), defaultdict(list)
    for reason, created_at, closed_at in session.execute(
        select(CaseRow.close_reason, CaseRow.created_at, CaseRow.closed_at)
        .where(in_period(CaseRow.closed_at, filters), *case_conditions(scope, filters))
    ):
        key = reason.value if reason is not None else None
        counts[key] += 1
        days[key].append(max((closed_at - created_at).total_seconds(), 0.0) / DAY)
    return build_table("closures_by_reason", "close_reason", _ordered(counts), [
        ("closed", Counts(counts, sum(counts.values()))),
        ("median_days_to_closure", Medians(days, [d for ds in days.values() for d in ds])),
    ], threshold)


# ---- consent -------------------------------------------------------------------------------------


def _consent_before_referral(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Of the persons first referred in the period: was a consent recorded before that first referral?"""
    first = (
        select(ReferralRow.case_id, func.min(ReferralRow.sent_at).label("first_sent"))
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .where(ReferralRow.sent_at.is_not(None), *case_conditions(scope, filters))
        .group_by(ReferralRow.case_id)
        .subquery()
    )
    consented = exists().where(
        ConsentRow.case_id == first.c.case_id, ConsentRow.given.is_(True), ConsentRow.is_override.is_(False),
        ConsentRow.recorded_at <= first.c.first_sent,
    )
    counts = Counter()
    for (before,) in session.execute(select(consented).where(in_period(first.c.first_sent, filters))):
        counts["before_first_referral" if before else "not_before_first_referral"] += 1
    table = build_table("consent_before_first_referral", "consent", ["before_first_referral", "not_before_first_referral"],
                        [("persons", Counts(counts, sum(counts.values())))], threshold)
    return _with_share_of_total(table)


def _with_share_of_total(table: Table) -> Table:
    """Adds each row's share of the total (hidden with its count)."""
    total = table.total.figures[0]
    rows = tuple(Row(row.key, (*row.figures, protect_share(row.figures[0], total))) for row in table.rows)
    return Table(table.key, table.dimension, (*table.columns, "share"), rows,
                 Row("total", (total, protect_share(total, total))))


def _consent_events(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Refusals, overrides (requested and approved) and withdrawals recorded in the period."""
    conditions = case_conditions(scope, filters)

    def count(*where) -> int:
        return session.execute(
            select(func.count()).select_from(ConsentRow).join(CaseRow, CaseRow.id == ConsentRow.case_id)
            .where(*where, *conditions)
        ).scalar_one()

    recorded = in_period(ConsentRow.recorded_at, filters)
    override = count(recorded, ConsentRow.is_override.is_(True))
    approved = count(recorded, ConsentRow.is_override.is_(True), ConsentRow.override_approved_at.is_not(None))
    # Approved and not approved overrides are one partition: neither may be worked out from the other.
    (approved_figure, _pending), override_figure = protect_counts([approved, override - approved], override, threshold)
    figures = {
        "given": protect_count(count(recorded, ConsentRow.given.is_(True), ConsentRow.is_override.is_(False)), threshold),
        "refused": protect_count(count(recorded, ConsentRow.given.is_(False)), threshold),
        "override": override_figure,
        "override_approved": approved_figure,
        # A rejected override is closed by setting its withdrawal: it is no withdrawal by the person.
        "withdrawn": protect_count(count(in_period(ConsentRow.withdrawn_at, filters), ConsentRow.is_override.is_(False)),
                                   threshold),
    }
    rows = tuple(Row(key, (figure,)) for key, figure in figures.items())
    return Table("consent_events", "consent_event", ("consents",), rows, Row("total", (Figure(None),)))
