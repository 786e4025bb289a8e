"""How domain values read in the interface, in the current language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from engine.domain import (
    CaseStatus, DeliveryChannel, EscalationStatus, Language, OrganisationKind, Priority, Role, Sector, UnmetReason,
)

ROLE_NAMES = {
    Role.CASEWORKER: _l("Caseworker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.PROVIDER_FOCAL_POINT: _l("Provider focal point"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.SOP_AUTHOR: _l("SOP author"),
    Role.ADMIN: _l("Administrator"),
}

# Each language is named in itself, so that anyone can find their own.
LANGUAGE_NAMES = {Language.FR: "Français", Language.EN: "English"}

PRIORITY_NAMES = {
    Priority.EMERGENCY.value: _l("Emergency"),
    Priority.URGENT.value: _l("Urgent"),
    Priority.NORMAL.value: _l("Normal"),
}

CASE_STATUS_NAMES = {
    CaseStatus.OPEN.value: _l("Open"),
    CaseStatus.CLOSED.value: _l("Closed"),
}

# A case's stage is a code the pathway's tasks declare (`aiguillage.stage`); the engine knows the list.
STAGE_NAMES = {
    "identification": _l("Identification"),
    "assessment": _l("Needs assessment"),
    "consent": _l("Consent"),
    "referral": _l("Referral"),
    "follow_up": _l("Follow-up"),
    "closure": _l("Closure"),
    "closed": _l("Closed"),
}

SECTOR_NAMES = {
    Sector.HEALTH.value: _l("Health"),
    Sector.MHPSS.value: _l("Mental health and psychosocial support"),
    Sector.SHELTER.value: _l("Shelter"),
    Sector.FOOD_NFI.value: _l("Food and non-food items"),
    Sector.LEGAL_DOCUMENTATION.value: _l("Legal aid and documentation"),
    Sector.FAMILY_TRACING.value: _l("Family tracing and reunification"),
    Sector.CHILD_PROTECTION.value: _l("Child protection"),
    Sector.EDUCATION_TRAINING.value: _l("Education and vocational training"),
    Sector.ECONOMIC_REINTEGRATION.value: _l("Economic reintegration"),
    Sector.CASH.value: _l("Cash assistance"),
}

UNMET_REASON_NAMES = {
    UnmetReason.NO_PROVIDER.value: _l("No provider available"),
    UnmetReason.FULL.value: _l("Providers full"),
    UnmetReason.OUT_OF_AREA.value: _l("No provider in the area"),
    UnmetReason.REFUSED_BY_PERSON.value: _l("Refused by the person"),
    UnmetReason.DECLINED.value: _l("Declined by the providers"),
    UnmetReason.NO_RESPONSE.value: _l("Provider never answered"),
    UnmetReason.OTHER.value: _l("Other reason"),
}

CHANNEL_NAMES = {
    DeliveryChannel.EMAIL.value: _l("Email"),
    DeliveryChannel.IN_APP.value: _l("In the application"),
    DeliveryChannel.WEBHOOK.value: _l("Webhook (SMS or messaging gateway)"),
}

ORGANISATION_KIND_NAMES = {
    OrganisationKind.MINISTRY: _l("Ministry or government office"),
    OrganisationKind.UN_AGENCY: _l("United Nations agency"),
    OrganisationKind.NGO: _l("Non-governmental organisation"),
    OrganisationKind.IOM: _l("IOM"),
    OrganisationKind.PRIVATE: _l("Private organisation"),
    OrganisationKind.OTHER: _l("Other"),
}

ESCALATION_STATUS_NAMES = {
    EscalationStatus.OPEN.value: _l("open"),
    EscalationStatus.ACKNOWLEDGED.value: _l("acknowledged"),
    EscalationStatus.RESOLVED.value: _l("resolved"),
    EscalationStatus.OVERTAKEN.value: _l("overtaken"),
}

# Why an escalation was raised: the escalation chain's reason codes.
ESCALATION_REASON_NAMES = {
    "acknowledgement_overdue": _l("Acknowledgement overdue"),
    "service_overdue": _l("Service overdue"),
    "task_overdue": _l("Task overdue"),
    "timer_passed": _l("Time limit passed"),
    "follow_up_due": _l("Follow-up due"),
}

REFERRAL_STATE_NAMES = {
    "draft": _l("draft, waiting for consent"),
    "sent": _l("sent"),
    "acknowledged": _l("received by the provider"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "redirected": _l("redirected"),
    "appointment_booked": _l("appointment booked"),
    "delivered": _l("service delivered"),
    "not_delivered": _l("service not delivered"),
    "revoked": _l("revoked"),
    "expired": _l("expired"),
}

# What a line of a case's history records (the services' action codes).
HISTORY_ACTION_NAMES = {
    "case_opened": _l("opened the case"),
    "case_closed": _l("closed the case"),
    "task_completed": _l("completed a task"),
    "task_claimed": _l("took a task"),
    "task_released": _l("gave a task back"),
    "task_reassigned": _l("reassigned a task"),
    "consent_withdrawn": _l("recorded the withdrawal of consent"),
    "deadlines_fired": _l("deadline passed"),
    "timers_fired": _l("time limit reached"),
    "signal_received": _l("signal received"),
    "escalation_acknowledged": _l("acknowledged an escalation"),
    "escalation_resolved": _l("resolved an escalation"),
    "escalation_reassigned": _l("handed an escalation over"),
}


def code_name(table: dict, code: str | None) -> str:
    """The words for a code in the current language, or the code itself when it has none."""
    if code is None:
        return ""
    return str(table.get(code, code))


def group_name(group: str) -> str:
    """A candidate group as people read it: the role's name when the group is a role."""
    try:
        return str(ROLE_NAMES[Role(group)])
    except ValueError:
        return group

# The directory's regions, languages and target groups (ids as stored; see engine.services.directory.vocabulary).
REGION_NAMES = {
    "adamaoua": _l("Adamawa"),
    "centre": _l("Centre"),
    "est": _l("East"),
    "extreme_nord": _l("Far North"),
    "littoral": _l("Littoral"),
    "nord": _l("North"),
    "nord_ouest": _l("North-West"),
    "ouest": _l("West"),
    "sud": _l("South"),
    "sud_ouest": _l("South-West"),
}
SERVICE_LANGUAGE_NAMES = {
    "french": _l("French"),
    "english": _l("English"),
    "fulfulde": _l("Fulfulde"),
    "pidgin": _l("Cameroonian Pidgin"),
    "arabic": _l("Arabic"),
    "other": _l("Other language"),
}
TARGET_GROUP_NAMES = {
    "unaccompanied_children": _l("Unaccompanied or separated children"),
    "children": _l("Children"),
    "trafficking_survivors": _l("Survivors of trafficking"),
    "violence_survivors": _l("Survivors of violence"),
    "persons_with_disabilities": _l("Persons with disabilities"),
    "pregnant_women": _l("Pregnant women"),
    "women": _l("Women"),
    "elderly": _l("Older persons"),
    "returnees": _l("Returning migrants"),
}
SEX_NAMES = {"female": _l("Women and girls"), "male": _l("Men and boys")}
CAPACITY_PERIOD_NAMES = {"day": _l("per day"), "week": _l("per week"), "month": _l("per month"), "year": _l("per year")}


def handover_choices(takers) -> list[tuple[str, str]]:
    """(username, what the choice reads) for the people a task or an escalation may be handed to.

    An <option> holds text only, where <bdi> is not allowed: a name is put between Unicode's
    first-strong isolate and its pop, which do in plain text what <bdi> does in markup."""
    from flask_babel import gettext

    holds = gettext("holds it now")  # outside the f-string: the catalog's extractor does not look inside one
    return [(taker.username, f"\u2068{taker.display_name}\u2069" + (f" ({holds})" if taker.is_assignee else ""))
            for taker in takers]


def isolated(text) -> Markup:
    """A name or other short text someone typed, shown inside a sentence or beside a label: isolated in
    <bdi> so that a name in a right-to-left script (Arabic) does not reorder the French or English around it."""
    if text is None or text == "":
        return Markup("")
    return Markup("<bdi>{}</bdi>").format(text)
