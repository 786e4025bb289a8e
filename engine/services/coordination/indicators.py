"""The mechanism's indicators (DOMAIN.md), computed from the case, referral, consent, task and escalation records.

    report = compute_indicators(uow, actor, IndicatorFilters(start, end, region="littoral"))
    report.table("cases_by_sex").rows

Nothing is counted on the side: every figure is a query over what the steps wrote. Each table is
protected by `suppression` before it leaves this module, so pages and exports cannot show more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from operator import attrgetter
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import String, and_, case, exists, func, or_, select, type_coerce

from engine.access import Actor
from engine.domain import DeadlineKind, EscalationStatus, Priority, ReferralState, Sector, TaskState, UnmetReason
from engine.services.coordination.facts import AGE_BANDS, DIMENSIONS
from engine.services.coordination.scope import (
    IndicatorFilters,
    Scope,
    case_conditions,
    in_period,
    indicator_scope,
    referral_conditions,
    referral_only_conditions,
)
from engine.services.coordination.sql_time import hours_between
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
from engine.store.models import CaseFactRow, CaseRow, ConsentRow, EscalationRow, ReferralRow, TaskRow, UnmetNeedRow
from engine.store.unit_of_work import UnitOfWork

FOLLOW_UP_STAGE = "follow_up"
# Plain strings: the referral rows are read without converting each state to its enum.
ACCEPTED_STATES = frozenset(state.value for state in (
    ReferralState.ACCEPTED, ReferralState.APPOINTMENT_BOOKED, ReferralState.DELIVERED, ReferralState.NOT_DELIVERED))
DECLINED, REDIRECTED = ReferralState.DECLINED.value, ReferralState.REDIRECTED.value
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
            *_unmet_needs(session, scope, filters, threshold),
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


def _of_cases(query, case_id_column, conditions: list):
    """`query` narrowed to the cases meeting `conditions` (no join at all when there are none: every case counts)."""
    if not conditions:
        return query
    return query.join(CaseRow, CaseRow.id == case_id_column).where(*conditions)


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
    """Each (case, sector) with a referral sent in the period is one need (unmet ones are counted apart)."""
    pairs = _of_cases(
        select(ReferralRow.case_id, ReferralRow.sector)
        .where(in_period(ReferralRow.sent_at, filters), *referral_only_conditions(filters)),
        ReferralRow.case_id, case_conditions(scope, filters),
    ).distinct().subquery()
    counts = Counter(dict(session.execute(select(pairs.c.sector, func.count()).group_by(pairs.c.sector)).all()))
    counts = Counter({Sector(k).value: v for k, v in counts.items()})
    return _count_table("needs_by_sector", "sector", counts, sum(counts.values()), threshold,
                        [s.value for s in Sector], column="needs")


def _unmet_needs(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    """Needs recorded as unmet in the period (no provider would serve them), by sector and region, and by reason."""
    conditions = [in_period(UnmetNeedRow.recorded_at, filters)]
    if filters.sector:
        conditions.append(UnmetNeedRow.sector == filters.sector)
    rows = session.execute(_of_cases(
        select(type_coerce(UnmetNeedRow.sector, String), UnmetNeedRow.region, type_coerce(UnmetNeedRow.reason, String),
               func.count())
        .where(*conditions)
        .group_by(UnmetNeedRow.sector, UnmetNeedRow.region, UnmetNeedRow.reason),
        UnmetNeedRow.case_id, case_conditions(scope, filters),
    )).all()
    by_place, by_reason = Counter(), Counter()
    for sector, region, reason, count in rows:
        by_place[(sector, region)] += count
        by_reason[reason] += count
    sectors = [s.value for s in Sector]
    places = sorted(by_place, key=lambda k: (sectors.index(k[0]) if k[0] in sectors else len(sectors), k[1] or ""))
    total = sum(by_place.values())
    return [
        build_table("unmet_needs_by_sector_and_region", ("sector", "region"), places,
                    [("unmet", Counts(by_place, total))], threshold),
        _count_table("unmet_needs_by_reason", "unmet_reason", by_reason, total, threshold,
                     [r.value for r in UnmetReason], column="unmet"),
    ]


# ---- referrals -----------------------------------------------------------------------------------


class _Referral(NamedTuple):
    """One referral as the indicators count it (plain values: this runs over a year of referrals)."""

    sector: str
    provider_id: int | None
    priority: str
    state: str
    decline_reason: str | None
    hours_to_acknowledge: float | None
    hours_to_service: float | None
    acknowledged_in_time: bool


def referral_records(session, scope: Scope, filters: IndicatorFilters) -> list[_Referral]:
    """The referrals sent in the period that the reader may count, with their times (worked out by the database)."""
    # A set the database builds once (PostgreSQL ran a correlated EXISTS as a scan per referral).
    ack_escalated = select(EscalationRow.referral_id).where(
        EscalationRow.deadline_kind == DeadlineKind.REFERRAL_ACK, EscalationRow.referral_id.is_not(None)
    )
    delivered = ReferralRow.state == ReferralState.DELIVERED
    rows = session.execute(_of_cases(
        select(
            type_coerce(ReferralRow.sector, String), ReferralRow.provider_organisation_id,
            type_coerce(ReferralRow.priority, String), type_coerce(ReferralRow.state, String),
            case((ReferralRow.state == ReferralState.DECLINED, func.coalesce(ReferralRow.decline_reason, "other"))),
            hours_between(ReferralRow.sent_at, ReferralRow.acknowledged_at),
            case((delivered, hours_between(ReferralRow.sent_at, ReferralRow.outcome_at))),
            and_(ReferralRow.acknowledged_at.is_not(None), ReferralRow.id.not_in(ack_escalated)),
        ).where(in_period(ReferralRow.sent_at, filters), *referral_only_conditions(filters)),
        ReferralRow.case_id, case_conditions(scope, filters),
    )).all()
    return [
        _Referral(sector, provider, priority, state, reason,
                  None if ack is None else max(ack, 0.0), None if service is None else max(service, 0.0), bool(in_time))
        for sector, provider, priority, state, reason, ack, service, in_time in rows
    ]


@dataclass(frozen=True)
class ReferralGrouping:
    """One referral table to build: its key, what its rows are, how a referral is keyed, the known keys."""

    key: str
    dimension: str | tuple[str, ...]
    key_of: object  # callable: _Referral -> row key
    known: tuple = ()


REFERRAL_MEASURES = ("sent", "acknowledged", "acknowledged_in_time", "accepted", "declined", "redirected", "delivered")


def referral_tables(groupings: list[ReferralGrouping], referrals: list[_Referral], threshold: int) -> list[Table]:
    """Sent, acknowledged (in time), accepted, declined, redirected, delivered and median times, one table per
    grouping, counted in a single pass over the referrals."""
    tallies = [({name: Counter() for name in REFERRAL_MEASURES}, defaultdict(list), defaultdict(list)) for _ in groupings]
    key_ofs = [grouping.key_of for grouping in groupings]
    for referral in referrals:
        state = referral.state
        ack = referral.hours_to_acknowledge
        service = referral.hours_to_service
        in_time = referral.acknowledged_in_time
        for key_of, (counts, ack_times, service_times) in zip(key_ofs, tallies):
            k = key_of(referral)
            counts["sent"][k] += 1
            if ack is not None:
                counts["acknowledged"][k] += 1
                ack_times[k].append(ack)
            if in_time:
                counts["acknowledged_in_time"][k] += 1
            if state in ACCEPTED_STATES:
                counts["accepted"][k] += 1
            elif state == DECLINED:
                counts["declined"][k] += 1
            elif state == REDIRECTED:
                counts["redirected"][k] += 1
            if service is not None:
                counts["delivered"][k] += 1
                service_times[k].append(service)
    tables = []
    for grouping, (counts, ack_times, service_times) in zip(groupings, tallies):
        columns: list = [(name, Counts(counts[name], sum(counts[name].values()))) for name in REFERRAL_MEASURES]
        columns.insert(3, ("acknowledged_in_time_share", Share("acknowledged_in_time", "sent")))
        columns.insert(8, ("delivered_share", Share("delivered", "sent")))
        columns += [
            ("median_hours_to_acknowledge", Medians(ack_times, [t for ts in ack_times.values() for t in ts])),
            ("median_hours_to_service", Medians(service_times, [t for ts in service_times.values() for t in ts])),
        ]
        tables.append(build_table(grouping.key, grouping.dimension, _ordered(counts["sent"], grouping.known), columns,
                                  threshold))
    return tables


def referral_table(key: str, dimension, referrals: list[_Referral], key_of, threshold: int, known=()) -> Table:
    """One referral table (see `referral_tables`)."""
    return referral_tables([ReferralGrouping(key, dimension, key_of, tuple(known))], referrals, threshold)[0]


def _referrals(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    referrals = referral_records(session, scope, filters)
    priorities = [p.value for p in Priority]
    declined = Counter(r.decline_reason for r in referrals if r.state == DECLINED)
    groupings = [
        ReferralGrouping("referrals_by_sector", "sector", attrgetter("sector"), tuple(s.value for s in Sector)),
        ReferralGrouping("referrals_by_provider", "provider", attrgetter("provider_id")),
        ReferralGrouping("referrals_by_priority", "priority", attrgetter("priority"), tuple(priorities)),
        ReferralGrouping("referral_times_by_provider_and_priority", ("provider", "priority"),
                         attrgetter("provider_id", "priority")),
    ]
    return [
        *referral_tables(groupings, referrals, threshold),
        _count_table("declined_by_reason", "decline_reason", declined, sum(declined.values()), threshold,
                     column="declined"),
    ]


# ---- escalations, follow-ups, closures -------------------------------------------------------------


def _escalations_by_level(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    query = _of_cases(
        select(EscalationRow.level,
               case((EscalationRow.status == EscalationStatus.RESOLVED, hours_between(EscalationRow.at, EscalationRow.resolved_at))))
        .where(in_period(EscalationRow.at, filters)),
        EscalationRow.case_id, case_conditions(scope, filters),
    )
    if filters.provider_id is not None or filters.sector:
        query = query.join(ReferralRow, ReferralRow.id == EscalationRow.referral_id).where(
            *referral_only_conditions(filters))
    raised, resolved, times = Counter(), Counter(), defaultdict(list)
    for level, hours in session.execute(query):
        raised[level] += 1
        if hours is not None:
            resolved[level] += 1
            times[level].append(max(hours, 0.0))
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
    counts = Counter(dict(session.execute(_of_cases(
        select(CaseFactRow.value, func.count())
        .where(CaseFactRow.name == "satisfaction", in_period(CaseFactRow.recorded_at, filters))
        .group_by(CaseFactRow.value),
        CaseFactRow.case_id, case_conditions(scope, filters),
    )).all()))
    return _count_table("satisfaction", "satisfaction", counts, sum(counts.values()), threshold, column="persons")


def _closures(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    counts, days = Counter(), defaultdict(list)
    for key, hours in session.execute(
        select(type_coerce(CaseRow.close_reason, String), hours_between(CaseRow.created_at, CaseRow.closed_at))
        .where(in_period(CaseRow.closed_at, filters), *case_conditions(scope, filters))
    ):
        counts[key] += 1
        days[key].append(max(hours or 0.0, 0.0) / 24.0)
    return build_table("closures_by_reason", "close_reason", _ordered(counts), [
        ("closed", Counts(counts, sum(counts.values()))),
        ("median_days_to_closure", Medians(days, [d for ds in days.values() for d in ds])),
    ], threshold)


# ---- consent -------------------------------------------------------------------------------------


def _consent_before_referral(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Of the persons first referred in the period: was a consent recorded before that first referral?"""
    # Only the cases with a referral sent in the period can have their first one in it.
    referred = select(ReferralRow.case_id).where(in_period(ReferralRow.sent_at, filters))
    first = (
        select(ReferralRow.case_id, func.min(ReferralRow.sent_at).label("first_sent"))
        .join(CaseRow, CaseRow.id == ReferralRow.case_id)
        .where(ReferralRow.sent_at.is_not(None), ReferralRow.case_id.in_(referred), *case_conditions(scope, filters))
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
    recorded = in_period(ConsentRow.recorded_at, filters)
    withdrawn = in_period(ConsentRow.withdrawn_at, filters)
    is_override = and_(recorded, ConsentRow.is_override.is_(True))

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    # One pass over the consents recorded or withdrawn in the period.
    given, refused, override, approved, withdrawals = session.execute(_of_cases(
        select(
            tally(and_(recorded, ConsentRow.given.is_(True), ConsentRow.is_override.is_(False))),
            tally(and_(recorded, ConsentRow.given.is_(False))),
            tally(is_override),
            tally(and_(is_override, ConsentRow.override_approved_at.is_not(None))),
            # A rejected override is closed by setting its withdrawal: it is no withdrawal by the person.
            tally(and_(withdrawn, ConsentRow.is_override.is_(False))),
        ).where(or_(recorded, withdrawn)),
        ConsentRow.case_id, case_conditions(scope, filters),
    )).one()
    # Approved and not approved overrides are one partition: neither may be worked out from the other.
    override, approved = int(override), int(approved)
    (approved_figure, _pending), override_figure = protect_counts([approved, override - approved], override, threshold)
    figures = {
        "given": protect_count(int(given), threshold),
        "refused": protect_count(int(refused), threshold),
        "override": override_figure,
        "override_approved": approved_figure,
        "withdrawn": protect_count(int(withdrawals), threshold),
    }
    rows = tuple(Row(key, (figure,)) for key, figure in figures.items())
    return Table("consent_events", "consent_event", ("consents",), rows, Row("total", (Figure(None),)))
