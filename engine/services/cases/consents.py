"""Consent: recorded at the consent step, checked before every referral leaves, withdrawn at any time.

The gate is here, in the engine: `consent_covering` refuses (`ConsentRequired`) unless a recorded,
given, unexpired, unwithdrawn consent of the case covers the referral's sector and recipient.
A recipient is covered when the consent names the organisation, or says "signed_providers" and
the organisation has signed both the MoU and the data-sharing agreement.

The consent steps' forms name their fields (`engine.pathways.step_fields`: `ConsentFields`,
`OverrideRequestFields`, `OverrideDecisionFields`): each is read here under the name its step gives; the
case's list of needs, whose sectors a consent covers, under the name its pathway gives (`need_fields:`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from engine.access import Actor, can_approve_consent_override, can_view_case, can_withdraw_consent
from engine.clock import Clock
from engine.domain import ConsentGiver, ConsentMethod, ReferralState, Sector
from engine.domain.referral_states import OPEN_STATES
from engine.errors import AccessDenied, Conflict, ConsentRequired, InvalidData, NotFound
from engine.field_problems import required, too_long
from engine.pathways.sharing import DEFAULT_SCOPE
from engine.pathways.step_fields import ConsentFields, OverrideDecisionFields, OverrideRequestFields
from engine.runtime import case_runtime
from engine.runtime.signals import send_signal, waiting_signals
from engine.services.cases.step import Step, StepHook, StepResult, begin_step, finish_step
from engine.services.cases.sync import need_fields_of
from engine.services.escalations.overtaken import close_overtaken
from engine.services.directory.vocabulary import LANGUAGE_CODES
from engine.services.cases.view import ConsentView, consent_view
from engine.store.models import CaseRow, ConsentRow, Organisation
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing
from engine.untrusted_values import refuse_control_characters

SIGNED_PROVIDERS = "signed_providers"
WITHDRAWAL_SIGNAL = "consent_withdrawn"


def record_consent(step: Step, data: dict, task_data: dict, fields: ConsentFields) -> ConsentRow:
    """Store the consent (or refusal) given at the consent step; it covers the sectors of the assessed needs."""
    given = bool(data.get(fields.given))
    if given and not data.get(fields.method):
        raise InvalidData("say how consent was given", {fields.method: [required("required when consent is given")]})
    sectors = _need_sectors(step, task_data)
    row = ConsentRow(
        case_id=step.case.id,
        given=given,
        given_by=ConsentGiver(data.get(fields.given_by) or ConsentGiver.PERSON),
        child_assent=data.get(fields.child_assent),
        method=ConsentMethod(data.get(fields.method) or ConsentMethod.VERBAL_WITNESSED),
        language=LANGUAGE_CODES.get(data.get(fields.language) or "", "fr"),
        scope_services=sectors if given else [],
        scope_recipients=[SIGNED_PROVIDERS] if given else [],
        scope=str(data.get(fields.scope) or DEFAULT_SCOPE)[:64],
        recorded_at=step.now,
        recorded_by_id=step.actor.id if step.actor is not None else None,
    )
    step.session.add(row)
    step.details["consent"] = "given" if given else "refused"
    return row


def request_override(step: Step, data: dict, task_data: dict,
                     fields: OverrideRequestFields) -> ConsentRow | None:
    """After a refusal, record a requested override (life-threatening or child protection); it holds once approved."""
    if not data.get(fields.requested):
        step.details["override"] = "not_requested"
        return None
    justification = (data.get(fields.justification) or "").strip()
    if not justification or not data.get(fields.reason):
        raise InvalidData(
            "an override needs a reason and a justification",
            {name: [required("required when an override is requested")] for name in (fields.reason, fields.justification)
             if not data.get(name)},
        )
    row = ConsentRow(
        case_id=step.case.id,
        given=True,
        given_by=ConsentGiver.PERSON,
        method=ConsentMethod.VERBAL_WITNESSED,
        language="und",
        scope_services=_need_sectors(step, task_data),
        scope_recipients=[SIGNED_PROVIDERS],
        scope=DEFAULT_SCOPE,
        recorded_at=step.now,
        recorded_by_id=step.actor.id if step.actor is not None else None,
        is_override=True,
        override_justification=justification,
    )
    step.session.add(row)
    step.details["override"] = data[fields.reason]
    return row


def decide_override(step: Step, data: dict, fields: OverrideDecisionFields) -> None:
    """A supervisor approves (or rejects) the pending override; every override is audited by its step."""
    if step.actor is not None and not can_approve_consent_override(step.actor, step.case):
        raise AccessDenied(f"{step.actor.username} may not approve a consent override (a supervisor of the case's organisation does)")
    pending = step.session.scalars(
        select(ConsentRow).where(ConsentRow.case_id == step.case.id, ConsentRow.is_override.is_(True),
                                 ConsentRow.override_approved_by_id.is_(None), ConsentRow.withdrawn_at.is_(None))
    ).all()
    if not pending:
        raise Conflict(f"case {step.case.reference} has no consent override waiting for approval")
    approved = bool(data.get(fields.approved))
    for row in pending:
        if approved:
            row.override_approved_by_id = step.actor.id if step.actor is not None else None
            row.override_approved_at = step.now
        else:
            row.withdrawn_at = step.now
            row.withdrawal_reason = "override rejected"
    step.details["override"] = "approved" if approved else "rejected"


def _need_sectors(step: Step, task_data: dict) -> list[str]:
    # The case's list of needs under the name its pathway gives it (`need_fields:`).
    sectors = need_fields_of(step).assessed_sectors(task_data)
    # No needs assessed yet: the consent covers every service category the person agreed to.
    return sectors or [sector.value for sector in Sector]


def is_standing(consent: ConsentRow, now: datetime) -> bool:
    """Given, not withdrawn, not expired (and, for an override, approved by a supervisor)."""
    if not consent.given or consent.withdrawn_at is not None:
        return False
    if consent.is_override and consent.override_approved_at is None:
        return False
    return consent.expires_at is None or consent.expires_at > now


def consent_covers(consent: ConsentRow, sector: str, provider: Organisation, now: datetime) -> bool:
    """Whether this consent allows sending `sector` data to `provider` at `now`."""
    if not is_standing(consent, now):
        return False
    if sector not in consent.scope_services:
        return False
    recipients = consent.scope_recipients or []
    if provider.id in recipients or str(provider.id) in recipients:
        return True
    return SIGNED_PROVIDERS in recipients and provider.mou_signed and provider.data_sharing_signed


def consent_covering(step: Step, sector: str, provider: Organisation) -> ConsentRow:
    """The consent that allows this referral; ConsentRequired naming what is missing otherwise."""
    consents = step.session.scalars(
        select(ConsentRow).where(ConsentRow.case_id == step.case.id).order_by(ConsentRow.recorded_at.desc(), ConsentRow.id.desc())
    ).all()
    for consent in consents:
        if consent_covers(consent, sector, provider, step.now):
            return consent
    if not any(is_standing(c, step.now) for c in consents):
        raise ConsentRequired(
            f"case {step.case.reference}: no valid consent is recorded (never given, withdrawn or expired); no referral can be sent"
        )
    raise ConsentRequired(
        f"case {step.case.reference}: the consent does not cover sending {sector} data to {provider.name}"
        + ("" if provider.data_sharing_signed and provider.mou_signed else " (it has not signed the MoU and data-sharing agreement)")
    )


def consent_for_sector(step: Step, sector: str) -> ConsentRow:
    """A standing consent covering `sector`, whoever the recipient: for a referral that carries no personal data."""
    consents = step.session.scalars(
        select(ConsentRow).where(ConsentRow.case_id == step.case.id).order_by(ConsentRow.recorded_at.desc(), ConsentRow.id.desc())
    ).all()
    for consent in consents:
        if is_standing(consent, step.now) and sector in consent.scope_services:
            return consent
    raise ConsentRequired(f"case {step.case.reference}: no valid consent covers a {sector} referral; no referral can be sent")


REASON_MAX = 200


@dataclass(frozen=True)
class Withdrawal:
    """What the withdrawal page shows: the case, and the standing consents that would be withdrawn."""

    case_id: int
    reference: str
    standing: tuple[ConsentView, ...]


def consents_to_withdraw(uow: UnitOfWork, clock: Clock, reference: str, actor: Actor) -> Withdrawal:
    """The case's standing consents, for whoever may record their withdrawal (NotFound, AccessDenied, Conflict)."""
    with uow:
        case = uow.session.scalar(select(CaseRow).where(CaseRow.reference == reference))
        if case is None or not can_view_case(actor, case):
            raise NotFound(f"case {reference} does not exist or is not yours to see")
        if not can_withdraw_consent(actor, case):
            raise AccessDenied(f"{actor.username} may not withdraw consent on case {reference}")
        rows = uow.session.scalars(select(ConsentRow).where(ConsentRow.case_id == case.id).order_by(ConsentRow.recorded_at)).all()
        standing = tuple(consent_view(row) for row in rows if is_standing(row, clock.now()))
        if not standing:
            raise Conflict(f"case {reference} has no consent to withdraw")
        return Withdrawal(case.id, case.reference, standing)


def withdraw_consent(
    uow: UnitOfWork, clock: Clock, case_id: int, actor: Actor, reason: str | None = None, hook: StepHook | None = None
) -> StepResult:
    """Mark the case's consents withdrawn, revoke its pending referrals, and tell the workflow."""
    reason = (reason or "").strip() or None
    if reason is not None:
        if len(reason) > REASON_MAX:
            raise InvalidData(f"the reason is longer than {REASON_MAX} characters", {"reason": [too_long(REASON_MAX)]})
        refuse_control_characters(reason=reason)
    with uow:
        lock_for_writing(uow)
        step = begin_step(uow, clock, case_id, actor, "consent_withdrawn")
        if not can_withdraw_consent(actor, step.case):
            raise AccessDenied(f"{actor.username} may not withdraw consent on case {step.case.reference}")
        withdrawn = mark_withdrawn(step, reason)
        if WITHDRAWAL_SIGNAL in waiting_signals(step.workflow):
            failures = send_signal(step.workflow, WITHDRAWAL_SIGNAL, {})
        elif not withdrawn:
            raise Conflict(f"case {step.case.reference} has no consent to withdraw")
        else:
            failures = case_runtime.failures(step.workflow)
        return finish_step(step, failures, hook=hook)


def mark_withdrawn(step: Step, reason: str | None) -> list[ConsentRow]:
    """Withdraw every standing consent of the case and revoke its open referrals (once)."""
    consents = step.session.scalars(
        select(ConsentRow).where(ConsentRow.case_id == step.case.id, ConsentRow.given.is_(True), ConsentRow.withdrawn_at.is_(None))
    ).all()
    for consent in consents:
        consent.withdrawn_at = step.now
        consent.withdrawn_by_id = step.actor.id if step.actor is not None else None
        consent.withdrawal_reason = reason
    revoked = []
    for referral in step.referrals:
        if referral.state in OPEN_STATES:
            referral.state = ReferralState.REVOKED
            referral.closed_at = step.now
            referral.updated_at = step.now
            revoked.append(referral)
            overtaken = close_overtaken(step.session, referral, step.now)
            if overtaken:
                step.details.setdefault("escalations_overtaken", []).extend(overtaken)
    if consents or revoked:
        # The reason given by the person may be sensitive: it stays on the consent row only.
        step.details["revoked_referrals"] = [r.id for r in revoked]
        step.details["revoked_because"] = "consent_withdrawn"
        step.notify(
            "consent_withdrawn",
            revoked_referral_ids=[r.id for r in revoked],
            provider_organisation_ids=sorted({r.provider_organisation_id for r in revoked if r.provider_organisation_id}),
        )
    return consents
