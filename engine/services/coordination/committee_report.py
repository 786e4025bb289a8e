"""The steering committee's periodic report: the indicators of a period, stalled referrals by level,
needs with no provider, and the trend against the period before; queued to the coordinators (who
report to the committee) once per period by the scheduler, and readable on demand.

Periods are calendar months in the mechanism's time zone (`months` of them per report, one by
default): the report of a period is the same whenever it is read, apart from what is stalled now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, select, text

from engine.access import Actor, can_view_committee_report
from engine.clock import Clock
from engine.domain import EscalationStatus, ReferralState
from engine.domain.referral_states import OPEN_STATES
from engine import field_problems as problem
from engine.errors import AccessDenied, InvalidData
from engine.services.coordination.indicators import IndicatorReport, indicators_for_scope
from engine.services.coordination.scope import IndicatorFilters, Scope
from engine.services.coordination.suppression import (
    DEFAULT_THRESHOLD,
    Counts,
    Figure,
    Row,
    Table,
    build_table,
)
from engine.store.models import EscalationRow, OutboxRow, ReferralRow
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing
from engine.untrusted_values import EARLIEST_DATE, LATEST_DATE

REPORT_EVENT = "committee_report"
ZONE = ZoneInfo("Africa/Douala")
_REPORT_LOCK = 0x41494752  # one report per period, even with several schedulers (PostgreSQL)
# Headline figures compared with the period before: (table, column) read from the indicators.
TREND = (
    ("persons_identified", "cases_by_region", "cases"),
    ("referrals_sent", "referrals_by_sector", "sent"),
    ("referrals_acknowledged_in_time", "referrals_by_sector", "acknowledged_in_time"),
    ("services_delivered", "referrals_by_sector", "delivered"),
    ("escalations_raised", "escalations_by_level", "raised"),
    ("cases_closed", "closures_by_reason", "closed"),
)


@dataclass(frozen=True)
class ReportPeriod:
    first_month: date  # the first day of the first month
    months: int

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_month, time(0), ZONE)

    @property
    def end(self) -> datetime:
        return datetime.combine(_add_months(self.first_month, self.months), time(0), ZONE)

    @property
    def last_day(self) -> date:
        return _add_months(self.first_month, self.months) - timedelta(days=1)

    @property
    def code(self) -> str:
        """YYYY-MM of the first month (what the report's address names)."""
        return self.first_month.strftime("%Y-%m")

    def previous(self) -> ReportPeriod:
        return ReportPeriod(_add_months(self.first_month, -self.months), self.months)


# ASCII digits only: int() also reads "١٢".
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_period(now: datetime, months: int = 1) -> ReportPeriod:
    """The period of `months` months that ended at the start of the current month."""
    this_month = now.astimezone(ZONE).date().replace(day=1)
    return ReportPeriod(_add_months(this_month, -months), months)


def parse_period(code: str | None, now: datetime, months: int = 1) -> ReportPeriod:
    """A period from YYYY-MM; the last complete one when absent; InvalidData naming `period` when unreadable
    (rather than another period than the one asked for, under the one asked for's name)."""
    text = (code or "").strip()
    if not text:
        return last_complete_period(now, months)
    found = _MONTH.fullmatch(text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidData("period: not a month (YYYY-MM)", {"period": [problem.not_a_month()]})
    first_month = date(int(found.group(1)), int(found.group(2)), 1)
    if first_month < EARLIEST_DATE:
        raise InvalidData("period: too early", {"period": [problem.too_early(EARLIEST_DATE)]})
    if first_month > LATEST_DATE:
        raise InvalidData("period: too late", {"period": [problem.too_late(LATEST_DATE)]})
    return ReportPeriod(first_month, months)


@dataclass(frozen=True)
class CommitteeReport:
    period: ReportPeriod
    indicators: IndicatorReport
    stalled_by_level: Table
    trend: Table
    threshold: int


def committee_report(uow: UnitOfWork, clock: Clock, actor: Actor | None, period: ReportPeriod,
                     threshold: int = DEFAULT_THRESHOLD) -> CommitteeReport:
    """The report of `period` (coordinators only; `actor` None for the scheduler, which queues it to them)."""
    if actor is not None and not can_view_committee_report(actor):
        raise AccessDenied(f"{actor.username} may not read the steering committee's report")
    everyone = Scope(None)
    current = indicators_for_scope(uow, everyone, IndicatorFilters(period.start, period.end), threshold)
    before_period = period.previous()
    before = indicators_for_scope(uow, everyone, IndicatorFilters(before_period.start, before_period.end), threshold)
    return CommitteeReport(period, current, _stalled_by_level(uow, threshold), _trend(current, before), threshold)


def _stalled_by_level(uow: UnitOfWork, threshold: int) -> Table:
    """Referrals waiting now with an unresolved escalation, by their escalation level."""
    unresolved = exists().where(EscalationRow.referral_id == ReferralRow.id,
                                EscalationRow.status != EscalationStatus.RESOLVED)
    states = [state for state in OPEN_STATES if state != ReferralState.DRAFT]
    with uow:
        counts = dict(uow.session.execute(
            select(ReferralRow.escalation_level, func.count())
            .where(ReferralRow.state.in_(states), ReferralRow.escalation_level > 0, unresolved)
            .group_by(ReferralRow.escalation_level)
        ).all())
    levels = sorted(set(counts) | {1, 2, 3})
    return build_table("stalled_referrals_by_level", "level", levels,
                       [("stalled", Counts(counts, sum(counts.values())))], threshold)


def _total(report: IndicatorReport, table: str, column: str) -> Figure:
    """The total of one column as its table publishes it (hidden there, hidden here: the trend sits beside it)."""
    found = report.table(table)
    return found.total.figures[found.columns.index(column)]


def _trend(current: IndicatorReport, before: IndicatorReport) -> Table:
    rows = tuple(Row(key, (_total(before, table, column), _total(current, table, column))) for key, table, column in TREND)
    return Table("trend", "measure", ("previous_period", "this_period"), rows, Row("total", (Figure(None), Figure(None))))


def queue_committee_report(uow: UnitOfWork, clock: Clock, months: int = 1, threshold: int = DEFAULT_THRESHOLD) -> ReportPeriod | None:
    """Queue the last complete period's report to the coordinators, once per period (None when already queued)."""
    period = last_complete_period(clock.now(), months)
    path = f"/coordination/report?period={period.code}"
    report = committee_report(uow, clock, None, period, threshold)
    persons = report.indicators.table("cases_by_region").total.figures[0]
    with uow:
        lock_for_writing(uow)
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REPORT_LOCK})
        queued = session.scalar(
            select(OutboxRow.id).where(and_(OutboxRow.event_type == REPORT_EVENT, OutboxRow.created_at >= period.end)).limit(1)
        )
        if queued is not None:
            return None
        payload = {"path": path, "recipients": [{"coordinators": True}]}
        if persons.shown is not None:
            payload["total"] = persons.shown
        session.add(OutboxRow(event_type=REPORT_EVENT, case_id=None, created_at=clock.now(), payload=payload))
        uow.commit()
    return period
