"""The mechanism's indicators (DOMAIN.md), computed from the case, referral, consent, task and escalation records.

    report = compute_indicators(uow, actor, IndicatorFilters(start, end, region="littoral"))
    report.table("cases_by_sex").rows

Nothing is counted on the side: every figure is a query over what the steps wrote. Each table is
protected by `suppression` before it leaves this module, so pages and exports cannot show more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from operator import attrgetter
from dataclasses import dataclass

from sqlalchemy import String, and_, case, exists, func, or_, select, type_coerce

from engine.access import Actor
from engine.domain import EscalationStatus, Priority, Sector, TaskState, UnmetReason
from engine.services.coordination.disclosure import Link, protect_together
from engine.services.coordination.facts import AGE_BANDS, DIMENSIONS, VULNERABILITY
from engine.services.coordination.scope import (
    IndicatorFilters,
    Scope,
    case_conditions,
    in_period,
    indicator_scope,
    referral_only_conditions,
)
from engine.services.coordination.referral_figures import (
    REFERRAL_MEASURES,
    ReferralGrouping,
    of_cases,
    referral_figures,
    referral_tables,
)
from engine.services.coordination.sql_time import hours_between
from engine.services.coordination.suppression import (
    DEFAULT_THRESHOLD,
    Counts,
    Figure,
    Medians,
    Row,
    Table,
    build_table,
    ordered_rows,
    protect_count,
    protect_counts,
    protect_share,
)
from engine.store.models import CaseFactRow, CaseRow, ConsentRow, EscalationRow, ReferralRow, TaskRow, UnmetNeedRow
from engine.store.unit_of_work import UnitOfWork

FOLLOW_UP_STAGE = "follow_up"
REFERRAL_COLUMNS = ("sent", "acknowledged", "acknowledged_in_time", "acknowledged_in_time_share", "accepted",
                    "declined", "redirected", "delivered", "delivered_share", "median_hours_to_acknowledge",
                    "median_hours_to_service")


# How the tables of the indicators page tie together (see `disclosure`): the persons identified are one
# total whatever they are grouped by; the referrals too, and the provider-by-priority table adds up to
# the by-provider and by-priority ones; the declined referrals by reason are the declined ones; the
# unmet needs by place and by reason are the same needs.
_PERSONS = ("cases_by_region", *(f"cases_by_{d}" for d in DIMENSIONS if d != "satisfaction"))
INDICATOR_LINKS = (
    *(Link(_PERSONS[0], other, "cases", rows=False) for other in _PERSONS[1:]),
    *(Link("referrals_by_sector", other, measure, rows=False)
      for other in ("referrals_by_provider", "referrals_by_priority") for measure in REFERRAL_MEASURES),
    *(Link(margin, "referral_times_by_provider_and_priority", measure, part=part)
      for margin, part in (("referrals_by_provider", 0), ("referrals_by_priority", 1)) for measure in REFERRAL_MEASURES),
    Link("referrals_by_sector", "declined_by_reason", "declined", rows=False),
    Link("unmet_needs_by_sector_and_region", "unmet_needs_by_reason", "unmet", rows=False),
)


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
    return IndicatorReport(filters, tuple(protect_together(tables, INDICATOR_LINKS, threshold)), threshold)


def _count_table(key: str, dimension: str, counts: Counter, total: int, threshold: int, known=(), column="cases") -> Table:
    return build_table(key, dimension, ordered_rows(counts, known), [(column, Counts(counts, total))], threshold)


# ---- persons identified --------------------------------------------------------------------------


def _identified(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    opened = and_(in_period(CaseRow.created_at, filters), *case_conditions(scope, filters))
    by_region = Counter(dict(session.execute(select(CaseRow.region, func.count()).where(opened).group_by(CaseRow.region)).all()))
    total = sum(by_region.values())
    tables = [_count_table("cases_by_region", "region", by_region, total, threshold)]
    shown = [dimension for dimension in DIMENSIONS if dimension != "satisfaction"]
    # One pass over the period's cases for every dimension.
    by_dimension: dict[str, Counter] = defaultdict(Counter)
    for name, value, count in session.execute(
        select(CaseFactRow.name, CaseFactRow.value, func.count())
        .select_from(CaseRow)
        .join(CaseFactRow, and_(CaseFactRow.case_id == CaseRow.id, CaseFactRow.name.in_([*shown, VULNERABILITY])))
        .where(opened)
        .group_by(CaseFactRow.name, CaseFactRow.value)
    ):
        by_dimension[name][value] = count
    for dimension in shown:
        counts = by_dimension[dimension]
        missing = total - sum(counts.values())
        if missing:
            counts[None] = missing
        known = [label for _low, _high, label in AGE_BANDS] if dimension == "age_group" else ()
        tables.append(_count_table(f"cases_by_{dimension}", dimension, counts, total, threshold, known))
    return [*tables, _vulnerabilities(by_dimension[VULNERABILITY], threshold)]


def _vulnerabilities(counts: Counter, threshold: int) -> Table:
    """Persons identified with each vulnerability. A person may have several and many have none: the rows are
    no partition, so each count is protected alone and there is no total (it would be no count of persons)."""
    rows = tuple(Row(key, (protect_count(counts[key], threshold),)) for key in ordered_rows(counts))
    return Table(f"cases_by_{VULNERABILITY}", VULNERABILITY, ("cases",), rows, Row("total", (Figure(None),)))


# ---- needs ---------------------------------------------------------------------------------------


def _needs_by_sector(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Each (case, sector) with a referral sent in the period is one need (unmet ones are counted apart)."""
    pairs = of_cases(
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
    rows = session.execute(of_cases(
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


def _referrals(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> list[Table]:
    figures = referral_figures(session, scope, filters)
    groupings = [
        ReferralGrouping("referrals_by_sector", "sector", attrgetter("sector"), tuple(s.value for s in Sector)),
        ReferralGrouping("referrals_by_provider", "provider", attrgetter("provider_id")),
        ReferralGrouping("referrals_by_priority", "priority", attrgetter("priority"), tuple(p.value for p in Priority)),
        ReferralGrouping("referral_times_by_provider_and_priority", ("provider", "priority"),
                         attrgetter("provider_id", "priority")),
    ]
    declined = figures.declined_by_reason
    return [
        *referral_tables(groupings, figures, threshold),
        _count_table("declined_by_reason", "decline_reason", declined, sum(declined.values()), threshold,
                     column="declined"),
    ]


# ---- escalations, follow-ups, closures -------------------------------------------------------------


def _escalations_by_level(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    query = of_cases(
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
    return build_table("escalations_by_level", "level", ordered_rows(raised, [1, 2, 3]), [
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
    counts = Counter(dict(session.execute(of_cases(
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
    return build_table("closures_by_reason", "close_reason", ordered_rows(counts), [
        ("closed", Counts(counts, sum(counts.values()))),
        ("median_days_to_closure", Medians(days, [d for ds in days.values() for d in ds])),
    ], threshold)


# ---- consent -------------------------------------------------------------------------------------


def _consent_before_referral(session, scope: Scope, filters: IndicatorFilters, threshold: int) -> Table:
    """Of the persons first referred in the period: was a consent recorded before that first referral?"""
    # Only the cases with a referral sent in the period can have their first one in it.
    referred = select(ReferralRow.case_id).where(in_period(ReferralRow.sent_at, filters))
    first = of_cases(
        select(ReferralRow.case_id, func.min(ReferralRow.sent_at).label("first_sent"))
        .where(ReferralRow.sent_at.is_not(None), ReferralRow.case_id.in_(referred)),
        ReferralRow.case_id, case_conditions(scope, filters),
    ).group_by(ReferralRow.case_id).subquery()
    consented = exists().where(
        ConsentRow.case_id == first.c.case_id, ConsentRow.given.is_(True), ConsentRow.is_override.is_(False),
        ConsentRow.recorded_at <= first.c.first_sent,
    )
    persons, before = session.execute(
        select(func.count(), func.coalesce(func.sum(case((consented, 1), else_=0)), 0))
        .where(in_period(first.c.first_sent, filters))
    ).one()
    counts = Counter({"before_first_referral": int(before), "not_before_first_referral": int(persons) - int(before)})
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
    given, refused, override, approved, withdrawals = session.execute(of_cases(
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
