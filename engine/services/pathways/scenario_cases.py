"""A scenario `CaseDriver` backed by the database services: the same files check the persisted engine.

Every step goes through the services (`open_case`, `complete_task`, `advance_case`,
`withdraw_consent`) and every question is answered from what was committed: the workflow is
reloaded from its row, the ready tasks must match the task table, the pending timers must match
the deadline index. The scenario's world is built as it goes: one referring organisation with its
caseworker, supervisor and coordinator, and each provider a scenario names, offering the needed
service wherever the case is, with MoU and data-sharing agreement signed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.domain import DeadlineKind, OrganisationKind, Role, Sector, TaskState
from engine.errors import AiguillageError, InvalidData
from engine.pathways.scenarios import ReadyTask
from engine.pathways.step_fields import SendFields, fields_of_step
from engine.runtime import case_runtime
from engine.runtime.case_data import case_data
from engine.services.accounts.creation import create_organisation, create_user, secretariat
from engine.services.accounts.actors import load_actor
from engine.runtime.specs import clear_cache as clear_parsed_specs
from engine.services.cases.step import begin_step, clear_specs_cache
from engine.services.cases.lifecycle import advance_case, open_case, signal_case
from engine.services.cases.consents import WITHDRAWAL_SIGNAL, withdraw_consent
from engine.services.pathways.metadata import need_fields
from engine.services.tasks.completion import complete_task
from engine.store.models import CaseRow, DeadlineRow, Organisation, OrganisationService, TaskCandidate, TaskRow, User

AGENCY = "scenario-agency"
SECRETARIAT = "scenario-secretariat"
ALL_REGIONS = ["adamaoua", "centre", "est", "extreme_nord", "littoral", "nord", "nord_ouest", "ouest", "sud", "sud_ouest"]


class CaseStateMismatch(AssertionError):
    """The tables and the saved workflow disagree: a sync bug, reported as a scenario failure."""


class PersistedCase:
    """A `CaseDriver` over one case stored in the database."""

    def __init__(self, container, pathway_id: str):
        self.container = container
        self.clock = container.clock
        self.pathway_id = pathway_id
        self.case_id: int | None = None
        self._ensure_world()

    # ---- the driver protocol ----

    def now(self) -> datetime:
        """The clock's current time."""
        return self.clock.now()

    def start(self, data: dict) -> list[str]:
        """Open the case as the agency's caseworker."""
        try:
            ref = open_case(self._uow(), self.clock, self.pathway_id, self._actor(AGENCY, Role.CASEWORKER.value), data)
        except AiguillageError as error:
            return [str(error)]
        self.case_id = ref.id
        return list(ref.failures)

    def ready_tasks(self) -> list[ReadyTask]:
        """The ready tasks of the reloaded workflow, checked against the task table."""
        workflow = self._workflow()
        ready = case_runtime.ready_human_tasks(workflow)
        with self._uow() as uow:
            rows = set(uow.session.scalars(select(TaskRow.id).where(TaskRow.case_id == self.case_id, TaskRow.state == TaskState.OPEN)))
        if rows != {task.id for task in ready}:
            raise CaseStateMismatch(f"open task rows {sorted(rows)} differ from the workflow's ready tasks")
        return [ReadyTask.of(task) for task in ready]

    def complete(self, task: ReadyTask, data: dict) -> list[str]:
        """Complete the task as a user of the organisation and group it is offered to."""
        try:
            sending = fields_of_step(task.properties)  # a send step names its provider field
            if isinstance(sending, SendFields) and data.get(sending.provider):
                self._ensure_provider(str(data[sending.provider]), (self._need_of(task) or {}).get("sector"))
            actor = self._actor_for(task)
            result = complete_task(self._uow(), self.clock, task.id, actor, data)
        except InvalidData as error:
            return error.problem_lines()
        except AiguillageError as error:
            return [str(error)]
        return list(result.failures)

    def move_clock_to(self, moment: datetime) -> list[str]:
        """Move the clock and run the case's step, as the deadline sweep would."""
        self.clock.set(moment)
        try:
            return list(advance_case(self._uow(), self.clock, self.case_id).failures)
        except AiguillageError as error:
            return [str(error)]

    def signal(self, name: str, data: dict) -> list[str]:
        """Deliver a signal; consent withdrawal goes through the consent service."""
        try:
            if name == WITHDRAWAL_SIGNAL:
                result = withdraw_consent(self._uow(), self.clock, self.case_id, self._actor(AGENCY, Role.CASEWORKER.value))
            else:
                result = signal_case(self._uow(), self.clock, self.case_id, name, None, data)
        except AiguillageError as error:
            return [str(error)]
        return list(result.failures)

    def case_data(self) -> dict:
        """The main process's data, from the stored workflow."""
        return case_data(self._workflow())

    def is_completed(self) -> bool:
        """True when the stored workflow reached its end (and the case row says closed)."""
        completed = case_runtime.is_completed(self._workflow())
        with self._uow() as uow:
            closed = uow.session.get(CaseRow, self.case_id).status.value == "closed"
        if completed != closed:
            raise CaseStateMismatch(f"workflow completed={completed} but case status closed={closed}")
        return completed

    def pending_deadlines(self) -> list[tuple[str, datetime]]:
        """The deadline index's BPMN timers, named by the timers of the stored workflow."""
        timers = {timer.task_id: timer for timer in case_runtime.pending_timers(self._workflow())}
        with self._uow() as uow:
            rows = uow.session.execute(
                select(DeadlineRow.ref, DeadlineRow.due_at).where(
                    DeadlineRow.case_id == self.case_id, DeadlineRow.kind == DeadlineKind.BPMN_TIMER
                )
            ).all()
        indexed = {ref: due for ref, due in rows}
        if indexed != {task_id: timer.due_at for task_id, timer in timers.items()}:
            raise CaseStateMismatch("the deadline index differs from the workflow's pending timers")
        return [(timers[ref].bpmn_id, due) for ref, due in indexed.items()]

    # ---- the scenario's world ----

    def _uow(self):
        # Every step and question starts from what is stored, as in a freshly started process.
        clear_specs_cache()
        clear_parsed_specs()
        return self.container.uow()

    def _workflow(self):
        with self._uow() as uow:
            return begin_step(uow, self.clock, self.case_id, None, "read").workflow

    def _need_of(self, task: ReadyTask) -> dict | None:
        # Under the names the case's pathway version gives its needs (`need_fields:`).
        with self._uow() as uow:
            version_id = uow.session.scalar(select(CaseRow.pathway_version_id).where(CaseRow.id == self.case_id))
            return need_fields(uow.session, version_id).need_of(None, task.data)

    def _ensure_world(self) -> None:
        with self._uow() as uow:
            existing = set(uow.session.scalars(select(Organisation.slug).where(Organisation.slug.in_([AGENCY, SECRETARIAT]))))
        if AGENCY not in existing:
            create_organisation(self._uow(), self.clock, AGENCY, "Scenario referring agency", OrganisationKind.NGO,
                                regions=ALL_REGIONS, mou_signed=True, data_sharing_signed=True)
        with self._uow() as uow:
            named = secretariat(uow)
            secretariat_slug = named.slug if named is not None else None
        # An installation that already names its secretariat keeps it: there is one per mechanism.
        if secretariat_slug is None and SECRETARIAT not in existing:
            create_organisation(self._uow(), self.clock, SECRETARIAT, "Scenario MNR secretariat", OrganisationKind.MINISTRY,
                                mou_signed=True, data_sharing_signed=True, is_secretariat=True)
        self._actor(secretariat_slug or SECRETARIAT, Role.COORDINATOR.value)

    def _ensure_provider(self, slug: str, sector: str | None) -> None:
        if slug.isdigit() or sector not in Sector.__members__.values():
            return
        with self._uow() as uow:
            organisation = uow.session.scalar(select(Organisation).where(Organisation.slug == slug))
            if organisation is None:
                organisation_id = create_organisation(uow, self.clock, slug, f"Scenario provider {slug}", OrganisationKind.NGO,
                                                      is_provider=True, regions=ALL_REGIONS, mou_signed=True,
                                                      data_sharing_signed=True)
                organisation = uow.session.get(Organisation, organisation_id)
            if not any(service.sector == sector for service in organisation.services):
                uow.session.add(OrganisationService(organisation_id=organisation.id, sector=Sector(sector),
                                                    name=f"{sector} service", regions=ALL_REGIONS))
            uow.commit()
        self._actor(slug, Role.PROVIDER_FOCAL_POINT.value)

    def _actor_for(self, task: ReadyTask):
        with self._uow() as uow:
            candidates = uow.session.execute(
                select(TaskCandidate.group_name, Organisation.slug)
                .join(Organisation, Organisation.id == TaskCandidate.organisation_id)
                .where(TaskCandidate.task_id == task.id)
            ).all()
        if not candidates:
            raise CaseStateMismatch(f"task {task.bpmn_id} is offered to nobody in the task table")
        group, organisation = candidates[0]
        return self._actor(organisation, group)

    def _actor(self, organisation: str, group: str):
        """A user of `organisation` holding `group` (as a role when it is one), created on first use."""
        username = f"{organisation}-{group}"[:64]
        with self._uow() as uow:
            exists = uow.session.scalar(select(User.id).where(User.username == username)) is not None
        if not exists:
            roles = [Role(group)] if group in Role.__members__.values() else [Role.CASEWORKER]
            groups = [] if group in Role.__members__.values() else [group]
            create_user(self._uow(), self.clock, username, organisation, roles, groups=groups)
        return load_actor(self._uow(), username)

