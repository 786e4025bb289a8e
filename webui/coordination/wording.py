"""How indicator tables read: titles, column names, row labels and figures ("< 5" for a small count, "hidden" for
a percentage or median that would give a small count away)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.domain import CloseReason
from engine.services.coordination.suppression import COMPLEMENT, Figure, Table
from engine.services.coordination.vocabulary import IndicatorVocabulary
from webui.labels import CAPACITY_PERIOD_NAMES, PRIORITY_NAMES, SECTOR_NAMES, STAGE_NAMES, UNMET_REASON_NAMES

TABLE_TITLES = {
    "cases_by_region": _l("Persons identified, by region"),
    "cases_by_source": _l("Persons identified, by source of identification"),
    "cases_by_sex": _l("Persons identified, by sex"),
    "cases_by_age_group": _l("Persons identified, by age group"),
    "cases_by_vulnerability": _l("Persons identified, by vulnerability (a person may have several)"),
    "needs_by_sector": _l("Needs, by sector"),
    "unmet_needs_by_sector_and_region": _l("Needs with no provider, by sector and region"),
    "unmet_needs_by_reason": _l("Needs with no provider, by reason"),
    "referrals_by_sector": _l("Referrals, by sector"),
    "referrals_by_provider": _l("Referrals, by provider"),
    "referrals_by_priority": _l("Referrals, by priority"),
    "referral_times_by_provider_and_priority": _l("Referrals, by provider and priority"),
    "provider_referrals_by_priority": _l("Referrals received, by priority"),
    "provider_declined_by_reason": _l("Referrals declined, by reason"),
    "provider_within_commitment_by_priority": _l("Answered within the commitment, by priority"),
    "declined_by_reason": _l("Declined referrals, by reason"),
    "escalations_by_level": _l("Escalations, by level"),
    "follow_ups_by_region": _l("Follow-ups done, by region"),
    "satisfaction": _l("Satisfaction at follow-up"),
    "closures_by_reason": _l("Cases closed, by reason"),
    "consent_before_first_referral": _l("Consent recorded before the first referral"),
    "consent_events": _l("Consents, refusals, overrides and withdrawals"),
    "stalled_referrals_by_level": _l("Referrals stalled now, by escalation level"),
    "trend": _l("Trend against the previous period"),
}

COLUMN_NAMES = {
    "cases": _l("Persons"),
    "persons": _l("Persons"),
    "needs": _l("Needs"),
    # Not "Sent": that message is the date a referral was sent ("Envoyé le"); this column counts referrals.
    "sent": _l("Number sent"),
    "acknowledged": _l("Acknowledged"),
    "acknowledged_in_time": _l("Acknowledged within the deadline"),
    "acknowledged_in_time_share": _l("% acknowledged within the deadline"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "redirected": _l("Redirected"),
    "delivered": _l("Service delivered"),
    "delivered_share": _l("% delivered"),
    "median_hours_to_acknowledge": _l("Median hours to acknowledge"),
    "median_hours_to_service": _l("Median hours to service"),
    "raised": _l("Raised"),
    "resolved": _l("Resolved"),
    "median_hours_to_resolve": _l("Median hours to resolve"),
    "follow_ups": _l("Follow-ups"),
    "closed": _l("Closed"),
    "median_days_to_closure": _l("Median days to closure"),
    "share": _l("%"),
    "consents": _l("Number"),
    "waiting": _l("Waiting now"),
    "overdue": _l("Overdue"),
    "median_hours_spent": _l("Median hours spent"),
    "done": _l("Done in the period"),
    "stalled": _l("Stalled referrals"),
    "unmet": _l("Unmet needs"),
    "acknowledged_within_commitment": _l("Acknowledged within the commitment"),
    "acknowledged_within_commitment_share": _l("% acknowledged within the commitment"),
    "delivered_within_commitment": _l("Served within the commitment"),
    "delivered_within_commitment_share": _l("% served within the commitment"),
    "previous_period": _l("Previous period"),
    "this_period": _l("This period"),
}

DIMENSION_NAMES = {
    "region": _l("Region"), "source": _l("Source"), "sex": _l("Sex"), "age_group": _l("Age group"),
    "vulnerability": _l("Vulnerability"),
    "sector": _l("Sector"), "provider": _l("Provider"), "priority": _l("Priority"),
    "decline_reason": _l("Reason"), "level": _l("Level"), "satisfaction": _l("Satisfaction"),
    "close_reason": _l("Reason"), "consent": _l("Consent"), "consent_event": _l("Event"), "step": _l("Step"),
    "measure": _l("Measure"), "unmet_reason": _l("Reason"),
}

CLOSE_REASON_NAMES = {
    CloseReason.NEEDS_MET.value: _l("Needs met"),
    CloseReason.UNREACHABLE.value: _l("Unreachable after documented attempts"),
    CloseReason.CONSENT_WITHDRAWN.value: _l("Consent withdrawn"),
    CloseReason.TRANSFERRED.value: _l("Moved or transferred"),
    CloseReason.DECEASED.value: _l("Deceased"),
    CloseReason.OTHER.value: _l("Other"),
}

TREND_NAMES = {
    "persons_identified": _l("Persons identified"),
    "referrals_sent": _l("Referrals sent"),
    "referrals_acknowledged_in_time": _l("Referrals acknowledged within the deadline"),
    "services_delivered": _l("Services delivered"),
    "escalations_raised": _l("Escalations raised"),
    "cases_closed": _l("Cases closed"),
}

CONSENT_NAMES = {
    "before_first_referral": _l("Consent recorded before the first referral"),
    "not_before_first_referral": _l("No consent recorded before the first referral"),
    "given": _l("Consents given"),
    "refused": _l("Refusals"),
    "override": _l("Overrides requested"),
    "override_approved": _l("Overrides approved"),
    "withdrawn": _l("Withdrawals"),
}


def table_title(table: Table) -> str:
    return str(TABLE_TITLES.get(table.key, table.key))


def column_name(name: str) -> str:
    return str(COLUMN_NAMES.get(name, name))


def dimension_name(dimension) -> str:
    if isinstance(dimension, tuple):
        return " / ".join(dimension_name(d) for d in dimension)
    return str(DIMENSION_NAMES.get(dimension, dimension))


def row_label(dimension, key, vocabulary: IndicatorVocabulary) -> str:
    """A row's code in words: the engine's names, else the pathway's labels, else the code itself."""
    if key == "total":
        return _("Total")
    if key is None:
        return _("Not recorded")
    if isinstance(dimension, tuple):
        return " / ".join(row_label(d, k, vocabulary) for d, k in zip(dimension, key))
    tables = {"sector": SECTOR_NAMES, "priority": PRIORITY_NAMES, "close_reason": CLOSE_REASON_NAMES,
              "consent": CONSENT_NAMES, "consent_event": CONSENT_NAMES, "stage": STAGE_NAMES, "measure": TREND_NAMES,
              "unmet_reason": UNMET_REASON_NAMES, "capacity_period": CAPACITY_PERIOD_NAMES}
    if dimension in tables and key in tables[dimension]:
        return str(tables[dimension][key])
    if dimension == "provider":
        return vocabulary.providers.get(key, _("Organisation %(id)s", id=key))
    if dimension == "level":
        return _("Level %(level)s", level=key)
    return vocabulary.value(dimension, key) or str(key)


def is_count(column: str) -> bool:
    """True for a column of counts; false for a percentage or a median (hours or days)."""
    return not (column == "share" or column.endswith("_share") or column.startswith("median_"))


def figure_text(figure: Figure, column: str, threshold: int) -> str:
    """What a reader sees of a figure: the number, "< 5", "hidden", or a dash when there is nothing.

    Only a count is written "< 5": a percentage or a median under "< 5" would read as a value of its own
    (under 5 %, under 5 hours), so a hidden one is written "hidden", whatever hid it.
    """
    if figure.hidden == COMPLEMENT or (figure.hidden and not is_count(column)):
        return _("hidden")
    if figure.hidden:
        return f"< {threshold}"
    if figure.value is None:
        return "—"
    if column.endswith("share") or column == "share":
        return f"{format_decimal(figure.value, format='#,##0.0')} %"
    if isinstance(figure.value, float):
        return format_decimal(figure.value, format="#,##0.0")
    return format_decimal(figure.value, format="#,##0")
