"""A task's form as a partner system needs it: field types, constraints, options, labels in one language.

The diagram carries its first language's labels; `i18n/<lang>.yaml` of the pinned pathway version
carries the others (keys `fields.<field id>`, `values.<field id>.<option id>`, `elements.<bpmn id>`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.access import Actor
from engine.clock import Clock
from engine.domain import TaskState
from engine.errors import Conflict
from engine.pathways.untrusted_yaml import load_untrusted_yaml
from engine.runtime import case_runtime
from engine.runtime.human_tasks import human_task_of
from engine.services.case_step import begin_step
from engine.services.form_data import form_fields
from engine.services.referrals import REFERRAL_PROPERTY, ProviderChoice, list_providers
from engine.services.tasks import visible_task
from engine.store.models import PathwayFileRow, PathwayVersionRow
from engine.store.unit_of_work import UnitOfWork

CONSTRAINTS = ("minlength", "maxlength", "min", "max", "readonly")


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
    providers: tuple[ProviderChoice, ...]


def describe_task_form(uow: UnitOfWork, clock: Clock, task_id: str, actor: Actor, language: str) -> TaskFormView:
    """The form of an open task visible to the actor, labelled in `language` (read-only)."""
    with uow:
        row = visible_task(uow, task_id, actor)
        if row.state != TaskState.OPEN:
            raise Conflict(f"task {row.name} was already {row.state.value}")
        step = begin_step(uow, clock, row.case_id, actor, "read")
        task = human_task_of(case_runtime.find_task(step.workflow, row.id), step.workflow.script_engine)
        texts = _texts(uow, step.case.pathway_version_id, language)
        region = step.case.region
        providers: tuple[ProviderChoice, ...] = ()
        need = (task.instance or {}).get("value")
        if task.properties.get(REFERRAL_PROPERTY) == "send" and isinstance(need, dict) and need.get("sector"):
            providers = tuple(list_providers(uow, need["sector"], region))
        assignee_id = row.assignee_id
    labels, values, elements = texts.get("fields", {}), texts.get("values", {}), texts.get("elements", {})
    return TaskFormView(
        id=task.id,
        case_id=row.case_id,
        bpmn_id=task.bpmn_id,
        name=str(elements.get(task.bpmn_id) or task.name),
        language=language,
        assignee_id=assignee_id,
        properties={k: v for k, v in task.properties.items() if k.startswith("aiguillage.")},
        fields=tuple(
            FormFieldView(
                id=field.id,
                type=(field.type or "string").lower(),
                label=str(labels.get(field.id) or field.label or field.id),
                required="required" in _rules(field),
                constraints={k: _number(v) for k, v in _rules(field).items() if k in CONSTRAINTS},
                options=tuple(
                    FormOption(option.id, str(values.get(f"{field.id}.{option.id}") or option.name or option.id))
                    for option in getattr(field, "options", []) or []
                ),
            )
            for field in form_fields(task.form)
        ),
        providers=providers,
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


# Published versions never change: their translations are cached by (content hash, language).
_texts_cache: dict[tuple[str, str], dict] = {}
_texts_lock = threading.Lock()


def _texts(uow: UnitOfWork, version_id: int, language: str) -> dict:
    languages, content_hash = uow.session.execute(
        select(PathwayVersionRow.languages, PathwayVersionRow.content_hash).where(PathwayVersionRow.id == version_id)
    ).one()
    key = (content_hash, language)
    if key in _texts_cache:
        return _texts_cache[key]
    texts: dict = {}
    if not languages or languages[0] != language:
        content = uow.session.scalar(
            select(PathwayFileRow.content).where(PathwayFileRow.version_id == version_id,
                                                 PathwayFileRow.path == f"i18n/{language}.yaml")
        )
        loaded = load_untrusted_yaml(content) if content is not None else None
        if isinstance(loaded, dict):
            texts = {section: value for section, value in loaded.items() if isinstance(value, dict)}
    with _texts_lock:
        _texts_cache[key] = texts
    return texts
