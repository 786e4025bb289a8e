"""A task's form as a partner system needs it: field types, constraints, options, labels in one language.

Labels come from the case's pinned pathway version in the asked language (engine.services.pathways.labels).
What a send step shows besides its form (the providers ranked, the need's earlier referrals) and each
field's limits with "today" resolved come from the same services as the task page's.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from datetime import datetime
from typing import Any

from engine.access import Actor
from engine.clock import Clock
from engine.runtime import case_runtime
from engine.runtime.human_tasks import human_task_of
from engine.pathways.step_fields import SendFields
from engine.pathways.form_check import carried_initial, fields_that_apply, hidden_on_page, input_limits
from engine.pathways.form_rules import HIDDEN_WHEN, REQUIRED_WHEN, rule_of, section_heading
from engine.pathways.forms import form_spec_of
from engine.services.cases.step import begin_step
from engine.services.tasks.form_data import form_fields
from engine.services.pathways.labels import PathwayTexts, decline_reason_words, labelled_answers, pathway_texts
from engine.services.directory.matching import Finding, ProviderChoice
from engine.services.referrals.earlier import EarlierReferral
from engine.services.referrals.sharing import readable_task_data
from engine.services.tasks.completion import case_today, form_prefills, send_step_facts, visible_task
from engine.services.tasks.still_open import require_open
from engine.store.unit_of_work import UnitOfWork

CONSTRAINTS = ("minlength", "maxlength", "min", "max", "pattern", "readonly")


@dataclass(frozen=True)
class FormOption:
    id: str
    label: str


@dataclass(frozen=True)
class FormFieldView:
    """One field: its id and type, its label in the asked language, whether required, its limits and options."""

    id: str
    type: str
    label: str
    required: bool
    constraints: dict[str, Any]
    options: tuple[FormOption, ...]
    required_when: str | None = None  # the pathway's condition over this form's fields that makes it required
    initial: Any = None  # the value carried from an earlier step: what an empty submission stands for
    # What the task page fills in from the field's `${currentUser()}`/`${now()}`/`${today()}` default for
    # the caller now (their display name, the case's day or time): a value to send, kept or changed; an
    # empty submission does not take it.
    prefill: Any = None
    hidden: bool = False  # not shown for the case's values now; what is sent for it is set aside
    hidden_when: str | None = None  # the pathway's condition that hides it (safe language), checked again on submit
    widget: str | None = None  # textarea, checklist or taglist where the type leaves a choice
    section: str | None = None  # the heading of the form section this field opens, in the asked language
    applies: bool | None = True  # None: needed only if its required_when comes to hold; False: not needed now
    # What a client can check before sending (`engine.pathways.form_check.input_limits`): a text's
    # maxlength, a date's min and max as ISO dates, "today" as the case's day; `constraints` keeps
    # the pathway's declaration as written ("today" included), which clients may already read.
    input_limits: dict[str, Any] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class EarlierAnswer:
    """One thing a provider wrote with its decision: codes and the pathway's words in the asked language."""

    field: str
    label: str
    value: Any  # as stored: an option's id, a yes/no, a number, a text
    value_label: str | None  # an option's label (several joined by commas), a text as written; None otherwise


@dataclass(frozen=True)
class EarlierReferralView:
    """An earlier referral of the need a send step is for, as the task page lists it, codes beside words."""

    referral_id: int
    provider: str | None  # the organisation's name
    state: str  # declined, redirected, expired, revoked...
    ended_at: datetime | None
    decline_reason: str | None  # the decision form's option id
    decline_reason_label: str | None  # that option in the pathway's words
    answer: tuple[EarlierAnswer, ...]


@dataclass(frozen=True)
class TaskFormView:
    """An open task with its form, labelled in one language; for a referral step, the providers to choose from."""

    id: str
    case_id: int
    bpmn_id: str
    name: str
    language: str
    assignee_id: int | None
    properties: dict[str, str]  # the task's `aiguillage.*` marks (referral, consent, stage...)
    fields: tuple[FormFieldView, ...]
    providers: tuple[ProviderChoice, ...]  # ranked, best first, each with its reasons, warnings and failed rules
    matching: Finding | None = None  # for a referral step: how many providers fit, or why none does
    earlier: tuple[EarlierReferralView, ...] = ()  # for a send step: how the need's earlier referrals ended
    provider_field: str | None = None  # for a send step: the field naming the provider, chosen among `providers`


def describe_task_form(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, language: str) -> TaskFormView:
    """The form of an open task visible to the actor, labelled in `language` (read-only)."""
    with uow:
        row = visible_task(uow, task_id, actor)
        require_open(row)
        step = begin_step(uow, clock, row.case_id, actor, "read")
        task = human_task_of(case_runtime.find_task(step.workflow, row.id), step.workflow.script_engine)
        texts = pathway_texts(uow, step.case.pathway_version_id, language)
        labels = texts.labels
        matching, earlier = send_step_facts(step, task)
        assignee_id = row.assignee_id
        spec = form_spec_of(task.form)
        data = readable_task_data(step, actor, task)
        prefills = form_prefills(step, task.form)
        hidden = hidden_on_page(task.form, data, prefills=prefills)
        applying = fields_that_apply(task.form, None, data)
        limits = input_limits(task.form, case_today(step))
    return TaskFormView(
        id=task.id,
        case_id=row.case_id,
        bpmn_id=task.bpmn_id,
        name=labels.element(task.bpmn_id, default=task.name) or task.name,
        language=language,
        assignee_id=assignee_id,
        properties={k: v for k, v in task.properties.items() if k.startswith("aiguillage.")},
        fields=tuple(
            FormFieldView(
                id=field.id,
                type=(field.type or "string").lower(),
                label=labels.field(field.id) or field.label or field.id,
                required="required" in _rules(field),
                constraints={k: _number(v) for k, v in _rules(field).items() if k in CONSTRAINTS},
                options=tuple(
                    FormOption(option.id, labels.value(field.id, option.id) or option.name or option.id)
                    for option in getattr(field, "options", []) or []
                ),
                required_when=rule_of(spec.field(field.id), REQUIRED_WHEN) or None,
                initial=carried_initial(spec.field(field.id), data) if "readonly" not in _rules(field) else None,
                prefill=prefills.get(field.id) if "readonly" not in _rules(field) else None,
                hidden=field.id in hidden,
                hidden_when=rule_of(spec.field(field.id), HIDDEN_WHEN) or None,
                widget=spec.field(field.id).properties.get("widget") or None,
                section=labels.section(field.id) if section_heading(spec.field(field.id)) else None,
                applies=applying.get(field.id, True),
                input_limits={name: _number(value) for name, value in limits.get(field.id, {}).items()},
            )
            for field in form_fields(task.form)
        ),
        providers=matching.providers if matching else (),
        matching=matching.summary if matching else None,
        earlier=tuple(_earlier_view(texts, referral) for referral in earlier),
        provider_field=SendFields.declared(task.properties).provider if matching else None,
    )


def _earlier_view(texts: PathwayTexts, referral: EarlierReferral) -> EarlierReferralView:
    return EarlierReferralView(
        referral_id=referral.referral_id,
        provider=referral.provider,
        state=referral.state,
        ended_at=referral.ended_at,
        decline_reason=referral.decline_reason,
        decline_reason_label=decline_reason_words(texts, referral.decline_reason),
        answer=tuple(
            EarlierAnswer(answer.field, answer.label, answer.value,
                          answer.worded if isinstance(answer.worded, str) else None)
            for answer in labelled_answers(texts, referral.answer)
        ),
    )


def _rules(field) -> dict[str, Any]:
    return {rule.name: rule.config for rule in getattr(field, "validation", []) or []}


def _number(config: Any) -> Any:
    if config is None:
        return True  # a flag such as readonly
    try:
        return int(config)
    except (TypeError, ValueError):
        return config
