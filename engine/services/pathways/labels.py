"""Pathway texts in a reader's language: task names, lanes, documentation, field and option labels.

    texts = pathway_texts(uow, case.pathway_version_id, "en")
    texts.labels.element("Task_Identification"), texts.lane("Travailleur social")
    tasks = labelled_tasks(uow, list_inbox(uow, actor), "en")
    form = describe_labelled_task(uow, clock, task_id, actor, "en")

The texts come from the case's pinned pathway version (`engine.pathways.labels.Labels` over its
stored files). Published versions never change, so the texts of a (version, language) are built
once per process; the key is the version's content hash, which names the same files in every
database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.access import Actor
from engine.clock import Clock
from engine.pathways.documents import BPMN_NS
from engine.pathways.folder import BPMN_SUFFIXES, PathwaySource
from engine.pathways.labels import Labels
from engine.pathways.step_fields import (
    CONSENT_PROPERTY, DEFAULT_FIELDS, ConsentFields, decide_steps, decision_fields_of, drawn_properties, marked_steps,
)
from engine.pathways.documents import read_diagram
from engine.pathways.xml import XmlProblem
from engine.services.cases.view import CaseView, show_case
from engine.services.tasks.inbox import TaskSummary
from engine.services.pathways.publishing import PathwayVersion
from engine.services.tasks.completion import describe_task
from engine.store.models import CaseRow, Organisation, PathwayFileRow, PathwayVersionRow, TaskRow
from engine.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PathwayTexts:
    """The labels of one pathway version in one language, and its lanes by their diagram name."""

    labels: Labels
    lane_ids: dict[str, str]  # lane name as drawn -> lane id
    # The fields whose options are the pathway's decline reasons: each decide step names its own.
    decline_reason_fields: tuple[str, ...] = (DEFAULT_FIELDS.decline_reason,)
    # The fields whose options are the consent's scopes: each consent step names its own.
    consent_scope_fields: tuple[str, ...] = (ConsentFields().scope,)

    def lane(self, name: str | None) -> str | None:
        """A lane as stored on a task (its diagram name), in this language."""
        if not name:
            return name
        lane_id = self.lane_ids.get(name)
        return self.labels.element(lane_id, default=name) if lane_id else name


@dataclass(frozen=True)
class LabelledField:
    """One field of a task's form with its label, and its options as (id, label) pairs; a read-only
    field also carries the value the case holds (as stored: the page words it)."""

    id: str
    label: str
    type: str
    required: bool
    choices: tuple[tuple[str, str], ...]
    read_only: bool = False
    value: Any = None
    initial: Any = None  # carried from an earlier step: the page shows it filled in
    prefill: Any = None  # filled in from an expression default (${currentUser()}, ${today()}...) when nothing is carried
    hidden: bool = False  # not shown for the values now (the form's `hidden_when` condition holds)
    widget: str | None = None  # textarea, checklist or taglist where the type leaves a choice
    section: str | None = None  # the heading of the form section this field opens, in the reader's language
    applies: bool | None = True  # None: applies only if `required_when` comes to hold; False: not needed now
    required_when: str | None = None  # the pathway's condition, for a page to say when the field is needed
    hidden_when: str | None = None  # the pathway's condition that hides it (safe language)
    limits: tuple[tuple[str, str], ...] = ()  # (min/max/minlength/maxlength/pattern, value) as drawn
    input_limits: tuple[tuple[str, str], ...] = ()  # what the browser checks before sending (maxlength, min, max)


@dataclass(frozen=True)
class LabelledTaskForm:
    """A task's form as the person doing it reads it, in their language."""

    task_id: str
    bpmn_id: str
    name: str
    documentation: str | None
    lane: str | None
    stage: str | None
    fields: tuple[LabelledField, ...]
    providers: tuple = ()  # ProviderChoice, ranked, for referral steps
    matching: Any = None  # Finding: how many providers fit, or why none does
    purpose: str | None = None  # what submitting does (engine.services.tasks.completion.task_purpose)
    earlier: tuple = ()  # LabelledEarlierReferral: how the need's earlier referrals ended (send steps)
    provider_field: str | None = None  # a send step's field naming the provider, chosen among `providers`


@dataclass(frozen=True)
class LabelledEarlierReferral:
    """An earlier referral of the need, as the caseworker sending it again reads it."""

    referral_id: int
    provider: str | None
    state: str
    ended_at: datetime | None
    decline_reason: str | None  # in the pathway's words
    answer: tuple  # (label, value) pairs of what the provider wrote with its decision


_cache: dict[tuple[str, str], PathwayTexts] = {}
_lock = threading.Lock()


def pathway_texts(uow: UnitOfWork, version_id: int, language: str) -> PathwayTexts:
    """The texts of a published version in `language` (the diagram's own texts where none is given)."""
    with uow:
        content_hash = uow.session.scalar(select(PathwayVersionRow.content_hash).where(PathwayVersionRow.id == version_id))
        cached = _cache.get((content_hash, language))
        if cached is not None:
            return cached
        row = uow.session.get(PathwayVersionRow, version_id)
        files = dict(uow.session.execute(
            select(PathwayFileRow.path, PathwayFileRow.content).where(PathwayFileRow.version_id == version_id)
        ).all())
    texts = _texts_of(_source(row.pathway_id, row.title, row.languages, row.main_file, files, content_hash), language)
    with _lock:
        _cache[(content_hash, language)] = texts
    return texts


def version_texts(version: PathwayVersion, language: str) -> PathwayTexts:
    """The texts of a version already loaded (`engine.services.pathways.publishing.get_version`)."""
    key = (version.content_hash, language)
    if key not in _cache:
        source = _source(version.pathway_id, version.title, version.languages, version.main_file, version.files,
                         version.content_hash)
        with _lock:
            _cache[key] = _texts_of(source, language)
    return _cache[key]


def texts_of_cases(uow: UnitOfWork, case_ids: Iterable[int], language: str) -> dict[int, PathwayTexts]:
    """The texts of each case's pinned pathway version (one query for the versions)."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    with uow:
        versions = dict(uow.session.execute(
            select(CaseRow.id, CaseRow.pathway_version_id).where(CaseRow.id.in_(wanted))
        ).all())
        by_version = {version_id: pathway_texts(uow, version_id, language) for version_id in set(versions.values())}
    return {case_id: by_version[version_id] for case_id, version_id in versions.items()}


def labelled_tasks(uow: UnitOfWork, tasks: Sequence[TaskSummary], language: str) -> list[TaskSummary]:
    """Inbox lines with each task's name in `language`, from its case's pathway version."""
    texts = texts_of_cases(uow, (task.case_id for task in tasks), language)
    return [
        replace(task, name=texts[task.case_id].labels.element(task.bpmn_id, default=task.name))
        if task.case_id in texts else task
        for task in tasks
    ]


def describe_labelled_task(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, language: str,
                           submitted: dict | None = None) -> LabelledTaskForm:
    """An open task's form (NotFound/Conflict as `describe_task`), labelled in `language`; `submitted`: what
    a refused submission held (it decides which fields apply)."""
    with uow:
        form = describe_task(uow, clock, task_id, actor, submitted)
        case_id, lane, stage = uow.session.execute(
            select(TaskRow.case_id, TaskRow.lane, TaskRow.stage).where(TaskRow.id == task_id)
        ).one()
        texts = texts_of_cases(uow, [case_id], language)[case_id]
    labels = texts.labels
    return LabelledTaskForm(
        task_id=form.task_id,
        bpmn_id=form.bpmn_id,
        name=labels.element(form.bpmn_id, default=form.name),
        documentation=labels.documentation(form.bpmn_id),
        lane=texts.lane(lane),
        stage=stage,
        fields=tuple(
            LabelledField(
                id=field.id,
                label=labels.field(field.id) or field.label,
                type=field.type,
                required=field.required,
                choices=tuple((choice, labels.value(field.id, choice)) for choice in field.choices),
                read_only=field.read_only,
                value=field.value,
                initial=field.initial,
                prefill=field.prefill,
                hidden=field.hidden,
                widget=field.widget,
                section=labels.section(field.id) if field.section else None,
                applies=field.applies,
                required_when=field.required_when,
                hidden_when=field.hidden_when,
                limits=field.limits,
                input_limits=field.input_limits,
            )
            for field in form.fields
        ),
        providers=form.providers,
        matching=form.matching,
        purpose=form.purpose,
        earlier=tuple(
            LabelledEarlierReferral(
                referral_id=earlier.referral_id, provider=earlier.provider, state=earlier.state,
                ended_at=earlier.ended_at,
                decline_reason=decline_reason_words(texts, earlier.decline_reason),
                answer=labelled_values(texts, earlier.answer),
            )
            for earlier in form.earlier
        ),
        provider_field=form.provider_field,
    )


@dataclass(frozen=True)
class HistoryNote:
    """What one line of a case's history decided, in the pathway's words."""

    provider: str | None  # the organisation a referral was sent to, by name
    values: tuple  # (label, value) pairs of the answers the step's form keeps in the history
    ended: tuple = ()  # (state, provider's name or None) of each referral the step ended: expired, revoked


@dataclass(frozen=True)
class LabelledCase:
    """A case page in one language: its open tasks renamed, and the names of the tasks its history cites."""

    case: CaseView
    task_names: dict[str, str]  # bpmn id -> name, for the history
    person: tuple = ()  # (label, value) pairs: an option by its label, a yes/no as a bool
    consent_scopes: dict = None  # type: ignore[assignment]  # scope code -> its label in the consent form
    history_notes: tuple = ()  # a HistoryNote for each line of the history, in order


def show_labelled_case(uow: UnitOfWork, clock: Clock, case: int | str, actor: Actor, language: str) -> LabelledCase:
    """The case page (NotFound and audit as `show_case`), with the pathway's texts in `language`."""
    view = show_case(uow, clock, case, actor)
    texts = pathway_texts(uow, view.pathway_version_id, language)
    cited = {event.task_bpmn_id for event in view.history if event.task_bpmn_id}
    return LabelledCase(
        case=replace(view, open_tasks=tuple(labelled_tasks(uow, view.open_tasks, language))),
        task_names={bpmn_id: texts.labels.element(bpmn_id, default=bpmn_id) for bpmn_id in sorted(cited)},
        person=labelled_values(texts, view.person or {}),
        # The consent step's form names the scope (`consents.record_consent` reads the same field).
        consent_scopes={consent.scope: _option_words(texts.labels, texts.consent_scope_fields, consent.scope)
                        for consent in view.consents if consent.scope},
        history_notes=_history_notes(uow, texts, view.history),
    )


def _history_notes(uow: UnitOfWork, texts: PathwayTexts, history) -> tuple[HistoryNote, ...]:
    # A line that says only "completed a task" does not tell the case's story: who the referral went
    # to, and what was decided (the fields a pathway keeps with `aiguillage.history = keep`, never
    # what describes the person), do.
    providers = [_sent_to(event) for event in history]
    endings = [_ended(event) for event in history]
    cited = sorted({slug for slug in providers if slug} | {slug for ended in endings for _, slug in ended if slug})
    names = dict(uow.session.execute(select(Organisation.slug, Organisation.name)
                                     .where(Organisation.slug.in_(cited))).all()) if cited else {}
    return tuple(
        HistoryNote(names.get(slug, slug) if slug else None,
                    labelled_values(texts, event.details["values"]) if isinstance(event.details.get("values"), dict) else (),
                    tuple((state, names.get(ended_at, ended_at) if ended_at else None) for state, ended_at in ended))
        for slug, ended, event in zip(providers, endings, history)
    )


def _sent_to(event) -> str | None:
    shared = event.details.get("shared_with")
    provider = shared.get("provider") if isinstance(shared, dict) else None
    return provider if isinstance(provider, str) else None


def _ended(event) -> tuple:
    # The referrals the pathway ended in this step (`engine.services.referrals.ending`): state, provider's slug.
    ended = event.details.get("referral_ended")
    if not isinstance(ended, list):
        return ()
    return tuple((item.get("state"), item.get("provider") if isinstance(item.get("provider"), str) else None)
                 for item in ended if isinstance(item, dict) and isinstance(item.get("state"), str))


def decline_reason_words(texts: PathwayTexts, reason: str | None) -> str | None:
    """A referral's decline reason (one of the decision form's options) in the pathway's words."""
    if not reason:
        return None
    return _option_words(texts.labels, texts.decline_reason_fields, reason)


def _option_words(labels: Labels, fields: tuple[str, ...], option: str) -> str:
    """An option in the pathway's words, when the record keeps its code but not which step's field gave it:
    the first of those fields that words it."""
    worded = (labels.value(field, option) for field in fields)
    return next((words for words in worded if words != option), option)


@dataclass(frozen=True)
class LabelledValue:
    """One answer of a form with its pathway's words beside its codes."""

    field: str  # the field's id
    label: str  # the field's label
    value: Any  # as stored: an option's id, a yes/no, a number, a text
    worded: Any  # an option by its label (several joined by commas), anything else as stored


def labelled_answers(texts: PathwayTexts, values: dict) -> tuple[LabelledValue, ...]:
    """The answers given (a field left empty says nothing), each with its field's and option's label."""
    return tuple(
        LabelledValue(name, texts.labels.field(name), value, _worded_value(texts, name, value))
        for name, value in values.items()
        if value is not None and value != "" and value != []
    )


def labelled_values(texts: PathwayTexts, values: dict) -> tuple:
    """(label, value) pairs in the pathway's words: a field by its label, an option by its label."""
    return tuple((answer.label, answer.worded) for answer in labelled_answers(texts, values))


def _worded_value(texts: PathwayTexts, name: str, value):
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):  # several options ticked: each by its label
        return ", ".join(texts.labels.value(name, str(item)) for item in value)
    return texts.labels.value(name, str(value))


def _source(pathway_id: str, title: dict, languages: list, main: str, files: dict[str, bytes],
            content_hash: str) -> PathwaySource:
    # A stored version rebuilt as the folder it was published from: Labels reads only its files.
    return PathwaySource(id=pathway_id, path=Path(pathway_id), metadata={}, title=dict(title),
                         languages=list(languages), main=main, files=files, content_hash=content_hash)


def _texts_of(source: PathwaySource, language: str) -> PathwayTexts:
    lane_ids: dict[str, str] = {}
    reason_fields: list[str] = []
    scope_fields: list[str] = []
    for name in sorted(source.files):
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root = read_diagram(source.files, name)
        if isinstance(root, XmlProblem):
            continue
        for lane in root.iter(f"{{{BPMN_NS}}}lane"):
            if lane.get("name") and lane.get("id"):
                lane_ids.setdefault(lane.get("name").strip(), lane.get("id"))
        reason_fields += [decision_fields_of(step).decline_reason for step in decide_steps(root)]
        scope_fields += [ConsentFields.declared(drawn_properties(step)).scope
                         for step in marked_steps(root, CONSENT_PROPERTY, "record")]
    return PathwayTexts(Labels(source, language), lane_ids,
                        tuple(dict.fromkeys(reason_fields)) or (DEFAULT_FIELDS.decline_reason,),
                        tuple(dict.fromkeys(scope_fields)) or (ConsentFields().scope,))
