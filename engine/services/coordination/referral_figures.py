"""The referral indicators: sent, acknowledged (in time), accepted, declined, redirected, delivered, and the median
times to acknowledge and to service, by sector, provider, priority or provider and priority.

The database counts: one GROUP BY on the finest key (sector, provider, priority, decline reason) gives a
few hundred rows whatever the number of referrals, and each table adds up the rows it needs. Medians
cannot be added up, and neither database shares a median aggregate, so the times themselves are read,
only for the referrals that have one, with nothing else than their key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import String, and_, case, func, select, type_coerce

from engine.domain import DeadlineKind, ReferralState
from engine.services.coordination.scope import IndicatorFilters, Scope, case_conditions, in_period, referral_only_conditions
from engine.services.coordination.sql_time import hours_between
from engine.services.coordination.suppression import Counts, Medians, Share, Table, build_table, ordered_rows
from engine.store.models import CaseRow, EscalationRow, ReferralRow

ACCEPTED_STATES = (ReferralState.ACCEPTED, ReferralState.APPOINTMENT_BOOKED, ReferralState.DELIVERED,
                   ReferralState.NOT_DELIVERED)
REFERRAL_MEASURES = ("sent", "acknowledged", "acknowledged_in_time", "accepted", "declined", "redirected", "delivered")


class ReferralKey(NamedTuple):
    """What a referral table may group by."""

    sector: str
    provider_id: int | None
    priority: str


@dataclass(frozen=True)
class ReferralFigures:
    """The referrals sent in a period, counted by key, with their times."""

    counts: dict[ReferralKey, tuple[int, ...]]  # per key: one count per REFERRAL_MEASURES
    declined_by_reason: Counter
    hours_to_acknowledge: dict[ReferralKey, list[float]]
    hours_to_service: dict[ReferralKey, list[float]]


def of_cases(query, case_id_column, conditions: list):
    """`query` narrowed to the cases meeting `conditions` (no join at all when there are none: every case counts)."""
    if not conditions:
        return query
    return query.join(CaseRow, CaseRow.id == case_id_column).where(*conditions)


def referral_figures(session, scope: Scope, filters: IndicatorFilters) -> ReferralFigures:
    """The referrals sent in the period that the reader may count: counts by key, declines by reason, and times."""
    # A set the database builds once (PostgreSQL ran a correlated EXISTS as a scan per referral).
    ack_escalated = select(EscalationRow.referral_id).where(
        EscalationRow.deadline_kind == DeadlineKind.REFERRAL_ACK, EscalationRow.referral_id.is_not(None))
    delivered = and_(ReferralRow.state == ReferralState.DELIVERED, ReferralRow.outcome_at.is_not(None))
    declined = ReferralRow.state == ReferralState.DECLINED

    def tally(condition):
        return func.sum(case((condition, 1), else_=0))

    key = (type_coerce(ReferralRow.sector, String), ReferralRow.provider_organisation_id,
           type_coerce(ReferralRow.priority, String))
    reason = case((declined, func.coalesce(ReferralRow.decline_reason, "other")))
    sent = [in_period(ReferralRow.sent_at, filters), *referral_only_conditions(filters)]
    conditions = case_conditions(scope, filters)
    counts: dict[ReferralKey, list[int]] = {}
    declined_by_reason = Counter()
    for *parts, why, total, acknowledged, in_time, accepted, declines, redirected, served in session.execute(of_cases(
        select(*key, reason, func.count(), func.count(ReferralRow.acknowledged_at),
               tally(and_(ReferralRow.acknowledged_at.is_not(None), ReferralRow.id.not_in(ack_escalated))),
               tally(ReferralRow.state.in_(ACCEPTED_STATES)), tally(declined),
               tally(ReferralRow.state == ReferralState.REDIRECTED), tally(delivered))
        .where(*sent).group_by(*key, reason),
        ReferralRow.case_id, conditions,
    )):
        found = counts.setdefault(ReferralKey(*parts), [0] * len(REFERRAL_MEASURES))
        for index, value in enumerate((total, acknowledged, in_time, accepted, declines, redirected, served)):
            found[index] += int(value or 0)
        if why is not None:
            declined_by_reason[why] += int(total)
    times = {}
    for name, hours, condition in (
        ("ack", hours_between(ReferralRow.sent_at, ReferralRow.acknowledged_at), ReferralRow.acknowledged_at.is_not(None)),
        ("service", hours_between(ReferralRow.sent_at, ReferralRow.outcome_at), delivered),
    ):
        by_key = defaultdict(list)
        for sector, provider, priority, value in session.execute(
                of_cases(select(*key, hours).where(*sent, condition), ReferralRow.case_id, conditions)):
            by_key[sector, provider, priority].append(max(value, 0.0))
        times[name] = {ReferralKey(*parts): values for parts, values in by_key.items()}
    return ReferralFigures({k: tuple(v) for k, v in counts.items()}, declined_by_reason, times["ack"], times["service"])


@dataclass(frozen=True)
class ReferralGrouping:
    """One referral table to build: its key, what its rows are, how a referral's key gives its row, the known rows."""

    key: str
    dimension: str | tuple[str, ...]
    row_of: Callable[[ReferralKey], Hashable]
    known: tuple = ()


def referral_tables(groupings: list[ReferralGrouping], figures: ReferralFigures, threshold: int) -> list[Table]:
    """One table per grouping, adding up the counted keys."""
    tables = []
    for grouping in groupings:
        counts = {name: Counter() for name in REFERRAL_MEASURES}
        for referral_key, values in figures.counts.items():
            row = grouping.row_of(referral_key)
            for name, value in zip(REFERRAL_MEASURES, values):
                counts[name][row] += value
        medians = {}
        for name, times in (("median_hours_to_acknowledge", figures.hours_to_acknowledge),
                            ("median_hours_to_service", figures.hours_to_service)):
            by_row = defaultdict(list)
            for referral_key, hours in times.items():
                by_row[grouping.row_of(referral_key)].extend(hours)
            medians[name] = Medians(by_row, [h for hours in times.values() for h in hours])
        columns: list = [(name, Counts(counts[name], sum(counts[name].values()))) for name in REFERRAL_MEASURES]
        columns.insert(3, ("acknowledged_in_time_share", Share("acknowledged_in_time", "sent")))
        columns.insert(8, ("delivered_share", Share("delivered", "sent")))
        columns += list(medians.items())
        tables.append(build_table(grouping.key, grouping.dimension, ordered_rows(counts["sent"], grouping.known), columns,
                                  threshold))
    return tables

