"""Referrals: what the send, acknowledge, decide and outcome steps do to the referral rows.

A task marked `aiguillage.referral = send|acknowledge|decide|outcome|unmet` serves one need
{sector, urgency}: its multi-instance branch's item, or the case's `need` or `sector`/`urgency`
variables, under the names the pathway gives them (`engine.pathways.need_fields`). Sending passes the
consent gate and the provider check; every other move follows `ReferralState`'s transitions and
is refused (`Conflict`) when illegal. Providers are ranked and the choice checked by the directory
(`engine.services.directory.referral_step`). The decide and outcome steps read the decision, the
decline reason, the appointment, whether the service was delivered and the outcome's note from the
fields their pathway names (`engine.pathways.step_fields`); the send step reads the provider from the field
it names (`provider_id` by default).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import select

from engine import field_problems as problem
from engine.access import can_answer_referral
from engine.domain import Priority, ReferralState, Sector
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.field_problems import FieldProblem
from engine.runtime.human_tasks import HumanTask
from engine.services.cases.step import Step
from engine.services.cases.sync import DOUALA, need_fields_of, referral_for_instance
from engine.pathways.step_fields import (
    DECIDE_MOVE, DECISION_VALUES, OUTCOME_MOVE, UNMET_MOVE, DecisionFields, OutcomeFields, SendFields, decision_fields,
)
from engine.pathways.sharing import DEFAULT_SCOPE
from engine.services.cases.consents import consent_covering, consent_for_sector
from engine.services.directory.matching import SEND_WITHOUT_PERSONAL_DATA
from engine.services.directory.referral_step import check_choice, need_of_task
from engine.services.referrals.moves import move_referral, referral_payload
from engine.services.referrals.sharing import sharing_rule
from engine.store.models import Organisation, ReferralRow
from engine.store.unit_of_work import UnitOfWork
from engine.untrusted_values import parse_id

REFERRAL_PROPERTY = "aiguillage.referral"
DECISIONS = dict(zip(DECISION_VALUES, (ReferralState.ACCEPTED, ReferralState.DECLINED, ReferralState.REDIRECTED)))


def apply_referral_step(step: Step, task: HumanTask, data: dict) -> None:
    """Apply the referral effect of a task marked `aiguillage.referral` before the workflow moves on."""
    kind = task.properties.get(REFERRAL_PROPERTY)
    if kind == "send":
        send_referral(step, task, data)
        return
    if kind == UNMET_MOVE:
        # The caseworker's choice after a decline: another provider (the next send) or an unmet need.
        from engine.services.referrals.unmet import record_unmet_need

        record_unmet_need(step, task, data)
        return
    referral = referral_for_instance(step, task.instance, task.data)
    if referral is None or referral.state.is_final:
        raise Conflict(f"case {step.case.reference}: task {task.bpmn_id} has no referral in progress to answer")
    if step.actor is not None and not can_answer_referral(step.actor, referral):
        raise AccessDenied(f"{step.actor.username} may not answer referrals addressed to another organisation")
    if kind == "acknowledge":
        move_referral(step, referral, ReferralState.ACKNOWLEDGED)
        referral.acknowledged_at = step.now
        step.notify("referral_acknowledged", **referral_payload(referral))
    elif kind == DECIDE_MOVE:
        _decide(step, referral, data, decision_fields(task.properties))
    elif kind == OUTCOME_MOVE:
        _report_outcome(step, referral, data, OutcomeFields.declared(task.properties))
    else:
        raise InvalidData(f"task {task.bpmn_id}: unknown {REFERRAL_PROPERTY} value {kind!r} (send, acknowledge, decide, outcome, unmet)")


def send_referral(step: Step, task: HumanTask, data: dict) -> ReferralRow:
    """Create and send the referral of this need: provider checked, consent gate passed, or refused."""
    needs = need_fields_of(step)
    need = need_of_task(task, needs, step.case.region, step.referrals)
    if need is None or need.sector not in Sector.__members__.values():
        raise InvalidData(needs.no_need_message(task.bpmn_id, need.sector if need is not None else None))
    sector = need.sector
    field = SendFields.declared(task.properties).provider
    provider = _provider(step, str(data.get(field) or ""), field)
    choice, reason = check_choice(step.session, task, need, provider, data, step.now.date())
    without_personal_data = not choice.agreements_signed and need.unsigned_provider == SEND_WITHOUT_PERSONAL_DATA
    consent = consent_for_sector(step, sector) if without_personal_data else consent_covering(step, sector, provider)
    previous = referral_for_instance(step, task.instance, task.data)
    if previous is not None and not previous.state.is_final:
        raise Conflict(f"case {step.case.reference}: the {sector} referral {previous.id} is still {previous.state.value}")
    urgency = need.priority
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
        shared_fields=[] if without_personal_data else _shared_fields(step, consent, sector, provider),
        request={} if without_personal_data else _request(data, field),
        instance_key=needs.branch_key(task.instance, task.data),
    )
    step.session.add(referral)
    step.session.flush()
    step.referrals.append(referral)
    step.details["referral_sent"] = referral.id
    # Why this provider: its rank among the matches and any hard rule it fails, with the reason given.
    step.details["provider_choice"] = {
        "provider": provider.slug, "service": choice.service_id, "rank": choice.rank,
        "failed_rules": [f.code for f in choice.failures if f.code != "agreements_missing"],
        "reason": reason, "personal_data_shared": not without_personal_data,
    }
    step.notify("referral_received", **referral_payload(referral))
    return referral


def _provider(step: Step, reference: str, field: str) -> Organisation:
    if not reference:
        raise InvalidData("choose a provider", {field: [problem.required()]})
    if reference.isdigit():
        # Digits name an id; digits beyond ASCII ("²") or the column's range name nothing.
        by_id = parse_id(reference)
        provider = step.session.get(Organisation, by_id) if by_id is not None else None
    else:
        provider = step.session.scalar(select(Organisation).where(Organisation.slug == reference[:100]))
    if provider is None or not provider.is_provider:
        raise InvalidData(f"provider {reference!r} is not in the directory", {field: [FieldProblem("unknown_provider", "unknown provider")]})
    return provider


def _request(data: dict, provider_field: str) -> dict:
    """What the send step's own form says to the provider (service requested, reason, safety considerations...)."""
    # The send form is the referral's message: its fields travel with it, the provider choice aside.
    return {name: value for name, value in data.items() if name != provider_field and value not in (None, "")}


def _answer(data: dict, fields: DecisionFields) -> dict:
    """What the decision form says back beyond what the referral keeps in its own columns (the decision,
    its coded reason, the appointment): kept on the referral."""
    return {name: value for name, value in data.items() if name not in fields.names and value not in (None, "")}


def _shared_fields(step: Step, consent, sector: str, provider: Organisation) -> list[str]:
    # What the pathway lets this consent's scope give a provider of this sector, minus what the consent keeps back.
    rule = sharing_rule(step.session, step.case.pathway_version_id)
    withheld = set(consent.withheld_fields or [])
    shared = [name for name in rule.fields_for(consent.scope, sector) if name not in withheld]
    # The case's history says what left, to whom, under which scope (the values never enter history).
    step.details["shared_with"] = {"provider": provider.slug, "scope": consent.scope or DEFAULT_SCOPE, "fields": shared}
    return shared


def _decide(step: Step, referral: ReferralRow, data: dict, fields: DecisionFields) -> None:
    # The pathway names its decision form's fields (`engine.pathways.step_fields`).
    decision = data.get(fields.decision)
    state = DECISIONS.get(decision) if isinstance(decision, str) else None
    if state is None:
        raise InvalidData("choose a decision", {fields.decision: [problem.not_a_choice(DECISIONS)]})
    appointment = _appointment_day(data, fields.appointment) if state == ReferralState.ACCEPTED else None
    move_referral(step, referral, state)
    referral.decided_at = step.now
    referral.answer = _answer(data, fields)
    if state == ReferralState.DECLINED:
        referral.decline_reason = data.get(fields.decline_reason) or "other"
    if state != ReferralState.ACCEPTED:
        referral.closed_at = step.now
    if appointment is not None:
        move_referral(step, referral, ReferralState.APPOINTMENT_BOOKED)
        referral.appointment_at = datetime.combine(appointment, time(0), DOUALA).astimezone(timezone.utc)
    # Whoever sent it chooses what comes next (another provider, or the need recorded unmet): the reason
    # is what they choose by (a code, never free text).
    reason = {"reason": referral.decline_reason} if state == ReferralState.DECLINED else {}
    step.notify(f"referral_{decision}", **referral_payload(referral), **reason)


def _report_outcome(step: Step, referral: ReferralRow, data: dict, fields: OutcomeFields) -> None:
    # The pathway names its outcome form's fields (`engine.pathways.step_fields`).
    delivered = bool(data.get(fields.delivered))
    move_referral(step, referral, ReferralState.DELIVERED if delivered else ReferralState.NOT_DELIVERED)
    referral.outcome_at = step.now
    referral.outcome_note = data.get(fields.note)
    referral.closed_at = step.now
    step.notify("referral_service_reported", delivered=delivered, **referral_payload(referral))


def _appointment_day(data: dict, field: str) -> date | None:
    """The appointment's day, when the form gives one; InvalidData naming the field when it is no date."""
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidData(f"{field} is not a date", {field: [problem.not_a_date()]})


def get_referral(uow: UnitOfWork, referral_id: int) -> ReferralRow:
    """A referral by id, or NotFound."""
    with uow:
        referral = uow.session.get(ReferralRow, referral_id)
        if referral is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return referral
