"""Moving running cases to a newer version of their pathway, on SQLite and PostgreSQL: a dry run says case
by case who can move and why not; the move is audited; a moved case completes its pathway on the new version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.access import Actor
from engine.bootstrap import Settings, build
from engine.clock import ManualClock
from engine.domain import Role
from engine.errors import AccessDenied
from engine.pathways.folder import load_source
from engine.pathways.scenarios import load_scenarios, run_step
from engine.services.pathways.migration import migrate_cases
from engine.services.pathways.publishing import publish_pathway
from engine.services.pathways.scenario_cases import PersistedCase
from engine.store.models import AuditEntry, CaseEvent, CaseRow, DeadlineRow, PathwayVersionRow

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"
AUTHOR = Actor(id=None, username="sop-author", organisation_id=0, roles=frozenset({Role.SOP_AUTHOR}), groups=frozenset())
# What v2 changes: the needs assessment's guidance (a step early in the pathway).
OLD_TEXT = b'<bpmn:userTask id="Task_NeedsAssessment" name="\xc3\x89valuer les besoins"'
NEW_TEXT = b'<bpmn:userTask id="Task_NeedsAssessment" name="\xc3\x89valuer tous les besoins"'


@pytest.fixture
def world(database_url, tmp_path):
    happy = next(s for s in load_scenarios(load_source(CAMEROON)) if s.file.endswith("01-happy-path.yaml"))
    container = build(Settings(database_url=database_url, instance_dir=tmp_path / "instance"),
                      clock=ManualClock(happy.start_at))
    publish_pathway(container.uow(), load_source(CAMEROON), container.clock)
    yield container, happy
    container.dispose()


def _second_version(container, tmp_path) -> None:
    folder = tmp_path / "cameroon-nrm-v2"
    shutil.copytree(CAMEROON, folder)
    bpmn = folder / "pathway.bpmn"
    assert OLD_TEXT in bpmn.read_bytes()
    bpmn.write_bytes(bpmn.read_bytes().replace(OLD_TEXT, NEW_TEXT))
    assert publish_pathway(container.uow(), load_source(folder), container.clock).version == 2


def _case_at(container, happy, steps: int) -> PersistedCase:
    driver = PersistedCase(container, "cameroon-nrm")
    assert driver.start(happy.data) == []
    for step in happy.steps[:steps]:
        assert run_step(driver, step) == [], step.describe()
    return driver


def test_a_case_before_the_changed_step_moves_and_one_past_it_is_refused_with_the_reason(world, tmp_path):
    container, happy = world
    waiting = _case_at(container, happy, 1)  # identification open: the assessment not reached yet
    assessed = _case_at(container, happy, 3)  # identification and assessment done
    _second_version(container, tmp_path)

    report = migrate_cases(container.uow(), container.clock, AUTHOR, "cameroon-nrm", dry_run=True)
    by_id = {case.case_id: case for case in report.cases}
    assert (report.to_version, report.movable, report.moved) == (2, 1, 0)
    assert by_id[waiting.case_id].movable and by_id[waiting.case_id].reasons == ()
    assert not by_id[assessed.case_id].movable
    [reason] = by_id[assessed.case_id].reasons
    assert "Task_NeedsAssessment" in reason and "changed" in reason and "completed" in reason
    with container.uow() as uow:  # a dry run moves nothing
        assert set(uow.session.scalars(select(CaseRow.pathway_version_id))) == {_version_id(uow, 1)}


def test_a_moved_case_keeps_its_deadlines_is_audited_and_completes_its_pathway(world, tmp_path):
    container, happy = world
    driver = _case_at(container, happy, 1)
    with container.uow() as uow:
        deadlines = sorted(uow.session.execute(select(DeadlineRow.kind, DeadlineRow.due_at)
                                               .where(DeadlineRow.case_id == driver.case_id)).all())
    _second_version(container, tmp_path)

    report = migrate_cases(container.uow(), container.clock, AUTHOR, "cameroon-nrm", dry_run=False)
    assert [(case.case_id, case.moved) for case in report.cases] == [(driver.case_id, True)]
    with container.uow() as uow:
        case = uow.session.get(CaseRow, driver.case_id)
        assert case.pathway_version_id == _version_id(uow, 2)
        assert sorted(uow.session.execute(select(DeadlineRow.kind, DeadlineRow.due_at)
                                          .where(DeadlineRow.case_id == driver.case_id)).all()) == deadlines
        event = uow.session.scalar(select(CaseEvent).where(CaseEvent.case_id == driver.case_id,
                                                           CaseEvent.action == "case_migrated"))
        assert event.details["from_version"] == 1 and event.details["to_version"] == 2
        assert uow.session.scalar(select(AuditEntry.action).where(AuditEntry.case_id == driver.case_id,
                                                                   AuditEntry.action == "case.case_migrated"))
    for step in happy.steps[1:]:
        assert run_step(driver, step) == [], step.describe()
    assert driver.is_completed()
    # A second run finds nothing left to move.
    assert migrate_cases(container.uow(), container.clock, AUTHOR, "cameroon-nrm", dry_run=False).cases == ()


def test_only_sop_authors_move_cases(world):
    container, _ = world
    coordinator = Actor(id=None, username="coord", organisation_id=0, roles=frozenset({Role.COORDINATOR}), groups=frozenset())
    with pytest.raises(AccessDenied):
        migrate_cases(container.uow(), container.clock, coordinator, "cameroon-nrm")


def _version_id(uow, version: int) -> int:
    return uow.session.scalar(select(PathwayVersionRow.id).where(PathwayVersionRow.version == version))


def test_the_command_line_dry_run_lists_each_case_then_the_move_moves_them(world, tmp_path):
    from click.testing import CliRunner

    from engine.domain import OrganisationKind
    from engine.store.models import Organisation
    from webui.cli import main
    from tests.integration.webui.web_forms import add_user

    container, happy = world
    driver = _case_at(container, happy, 1)
    _case_at(container, happy, 3)
    _second_version(container, tmp_path)
    with container.uow() as uow:
        ministry = Organisation(slug="minas", name="MINAS", kind=OrganisationKind.MINISTRY, created_at=container.clock.now())
        add_user(uow, ministry, "diane_author", [Role.SOP_AUTHOR], at=container.clock.now())
        uow.commit()

    def run(*args):
        return CliRunner().invoke(main, ["pathway", "migrate", "cameroon-nrm", "--user", "diane_author", *args],
                                  obj=container)

    dry = run("--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "2 running case(s) on older versions, 1 can move, 1 stay." in dry.output
    assert "Task_NeedsAssessment" in dry.output and " moved" not in dry.output
    moved = run()
    assert moved.exit_code == 0, moved.output
    assert "1 moved, 1 stay." in moved.output
    with container.uow() as uow:
        assert uow.session.get(CaseRow, driver.case_id).pathway_version_id == _version_id(uow, 2)
