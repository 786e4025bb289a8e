"""Referrals: what the send, acknowledge, decide and outcome steps do to the referral rows.

A task marked `aiguillage.referral = send|acknowledge|decide|outcome|unmet` runs inside the referral
branch of one need (the multi-instance variable `need` = {sector, urgency}). Sending passes the
consent gate and the provider check; every other move follows `ReferralState`'s transitions and
is refused (`Conflict`) when illegal. The directory seam is `list_providers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import select

from engine import field_problems as problem
from engine.access import can_answer_referral
from engine.domain import Priority, ReferralState, Sector
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.field_problems import FieldProblem
from engine.runtime.human_tasks import HumanTask
from engine.services.cases.step import Step
from engine.services.cases.sync import DOUALA, instance_key, referral_for_instance
from engine.services.cases.consents import consent_covering
from engine.services.escalations.overtaken import close_overtaken
from engine.store.models import Organisation, OrganisationService, ReferralRow
from engine.store.unit_of_work import UnitOfWork

REFERRAL_PROPERTY = "aiguillage.referral"
DECISIONS = {
    "accepted": ReferralState.ACCEPTED,
    "declined": ReferralState.DECLINED,
    "redirected": ReferralState.REDIRECTED,
}


@dataclass(frozen=True)
class ProviderChoice:
    """A provider the referral step may offer for a sector in a region."""

    organisation_id: int
    slug: str
    name: str
    service_name: str
    languages: tuple[str, ...]
    capacity: int | None
    agreements_signed: bool  # MoU and data-sharing agreement: without both, no personal data


def list_providers(uow: UnitOfWork, sector: str, region: str | None) -> list[ProviderChoice]:
    """Active providers offering `sector` in `region` (every region when None), by name."""
    with uow:
        return [
            _choice(organisation, service)
            for organisation, service in _offers(uow.session, Sector(sector))
            if region is None or region in (service.regions or organisation.regions or [])
        ]


def _offers(session, sector: Sector):
    return session.execute(
        select(Organisation, OrganisationService)
        .join(OrganisationService, OrganisationService.organisation_id == Organisation.id)
        .where(OrganisationService.sector == sector, OrganisationService.active.is_(True), Organisation.is_provider.is_(True))
        .order_by(Organisation.name, OrganisationService.id)
    ).all()


def _choice(organisation: Organisation, service: OrganisationService) -> ProviderChoice:
    return ProviderChoice(
        organisation_id=organisation.id,
        slug=organisation.slug,
        name=organisation.name,
        service_name=service.name,
        languages=tuple(service.languages or ()),
        capacity=service.capacity,
        agreements_signed=organisation.mou_signed and organisation.data_sharing_signed,
    )


def apply_referral_step(step: Step, task: HumanTask, data: dict) -> None:
    """Apply the referral effect of a task marked `aiguillage.referral` before the workflow moves on."""
    kind = task.properties.get(REFERRAL_PROPERTY)
    if kind == "send":
        send_referral(step, task, data)
        return
    if kind == "unmet":
        # The caseworker's choice after a decline: another provider (the next send) or an unmet need.
        from engine.services.referrals.unmet import record_unmet_need

        record_unmet_need(step, task, data)
        return
    referral = referral_for_instance(step, task.instance)
    if referral is None or referral.state.is_final:
        raise Conflict(f"case {step.case.reference}: task {task.bpmn_id} has no referral in progress to answer")
    if step.actor is not None and not can_answer_referral(step.actor, referral):
        raise AccessDenied(f"{step.actor.username} may not answer referrals addressed to another organisation")
    if kind == "acknowledge":
        _move(step, referral, ReferralState.ACKNOWLEDGED)
        referral.acknowledged_at = step.now
        step.notify("referral_acknowledged", **_payload(referral))
    elif kind == "decide":
        _decide(step, referral, data)
    elif kind == "outcome":
        delivered = bool(data.get("service_delivered"))
        _move(step, referral, ReferralState.DELIVERED if delivered else ReferralState.NOT_DELIVERED)
        referral.outcome_at = step.now
        referral.outcome_note = data.get("outcome_note")
        referral.closed_at = step.now
        step.notify("referral_service_reported", delivered=delivered, **_payload(referral))
    else:
        raise InvalidData(f"task {task.bpmn_id}: unknown {REFERRAL_PROPERTY} value {kind!r} (send, acknowledge, decide, outcome, unmet)")


def send_referral(step: Step, task: HumanTask, data: dict) -> ReferralRow:
    """Create and send the referral of this need: provider checked, consent gate passed, or refused."""
    need = (task.instance or {}).get("value")
    if not isinstance(need, dict) or need.get("sector") not in Sector.__members__.values():
        raise InvalidData(f"task {task.bpmn_id} is not inside a referral branch with a need {{sector, urgency}}")
    sector = need["sector"]
    provider = _provider(step, str(data.get("provider_id") or ""), sector)
    consent = consent_covering(step, sector, provider)
    previous = referral_for_instance(step, task.instance)
    if previous is not None and not previous.state.is_final:
        raise Conflict(f"case {step.case.reference}: the {sector} referral {previous.id} is still {previous.state.value}")
    urgency = need.get("urgency")
    referral = ReferralRow(
        case_id=step.case.id,
        need_key=sector,
        sector=Sector(sector),
        priority=Priority(urgency) if urgency in Priority.__members__.values() else Priority.NORMAL,
        provider_organisation_id=provider.id,
        state=ReferralState.SENT,
        consent_id=consent.id,
        created_at=step.now,
        created_by_id=step.actor.id if step.actor is not None else None,
        updated_at=step.now,
        sent_at=step.now,
        redirected_from_id=previous.id if previous is not None and previous.state == ReferralState.REDIRECTED else None,
        shared_fields=_shared_fields(step, consent),
        instance_key=instance_key(task.instance),
    )
    step.session.add(referral)
    step.session.flush()
    step.referrals.append(referral)
    step.details["referral_sent"] = referral.id
    step.notify("referral_received", **_payload(referral))
    return referral


def _provider(step: Step, reference: str, sector: str) -> Organisation:
    if not reference:
        raise InvalidData("choose a provider", {"provider_id": [problem.required()]})
    column = Organisation.id if reference.isdigit() else Organisation.slug
    provider = step.session.scalar(select(Organisation).where(column == (int(reference) if reference.isdigit() else reference)))
    if provider is None or not provider.is_provider:
        raise InvalidData(f"provider {reference!r} is not in the directory", {"provider_id": [FieldProblem("unknown_provider", "unknown provider")]})
    region = step.case.region
    offers = [
        service for service in provider.services
        if service.active and service.sector == sector and (region is None or region in (service.regions or provider.regions or []))
    ]
    if not offers:
        where = f" in {region}" if region else ""
        raise InvalidData(
            f"{provider.name} does not offer {sector}{where}",
            {"provider_id": [FieldProblem("provider_not_offering", f"does not offer {sector}{where}", sector=sector, region=region)]},
        )
    return provider


def _shared_fields(step: Step, consent) -> list[str]:
    # The identification fields a provider needs, minus what the consent keeps back.
    from engine.services.cases.view import PROVIDER_FIELDS

    withheld = set(consent.withheld_fields or [])
    return [name for name in PROVIDER_FIELDS if name not in withheld]


def _decide(step: Step, referral: ReferralRow, data: dict) -> None:
    decision = data.get("decision")
    state = DECISIONS.get(decision)
    if state is None:
        raise InvalidData("choose a decision", {"decision": [problem.not_a_choice(DECISIONS)]})
    _move(step, referral, state)
    referral.decided_at = step.now
    if state == ReferralState.DECLINED:
        referral.decline_reason = data.get("decline_reason") or "other"
    if state != ReferralState.ACCEPTED:
        referral.closed_at = step.now
    appointment = data.get("appointment_date")
    if state == ReferralState.ACCEPTED and appointment:
        _move(step, referral, ReferralState.APPOINTMENT_BOOKED)
        referral.appointment_at = datetime.combine(date.fromisoformat(appointment), time(0), DOUALA).astimezone(timezone.utc)
    step.notify(f"referral_{decision}", **_payload(referral))


def _move(step: Step, referral: ReferralRow, state: ReferralState) -> None:
    if not referral.state.can_go_to(state):
        raise Conflict(f"referral {referral.id} is {referral.state.value}; it cannot become {state.value}")
    referral.state = state
    referral.updated_at = step.now
    step.details.setdefault("referral_moves", []).append([referral.id, state.value])
    overtaken = close_overtaken(step.session, referral, step.now)
    if overtaken:
        step.details.setdefault("escalations_overtaken", []).extend(overtaken)


def _payload(referral: ReferralRow) -> dict:
    return {
        "referral_id": referral.id,
        "provider_organisation_id": referral.provider_organisation_id,
        "sector": referral.sector.value,
        "priority": referral.priority.value,
        "state": referral.state.value,
    }


def get_referral(uow: UnitOfWork, referral_id: int) -> ReferralRow:
    """A referral by id, or NotFound."""
    with uow:
        referral = uow.session.get(ReferralRow, referral_id)
        if referral is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return referral
