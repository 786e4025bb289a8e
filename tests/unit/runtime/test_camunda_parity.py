"""Diagrams Camunda 7 runs run here as Camunda runs them (with a warning where an author should know), one rule each."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from runtime_cases import Case

from engine.pathways.folder import load_source
from engine.pathways.validation import review, validate
from engine.runtime.specs import load_specs

CAMUNDA = Path(__file__).resolve().parents[2] / "fixtures" / "camunda"


def problems_of(name: str):
    return review(load_source(CAMUNDA / name))


def warnings_of(name: str) -> dict[str, str]:
    problems = problems_of(name)
    assert not [str(p) for p in problems if not p.is_warning], "expected warnings only"
    return {p.rule: p for p in problems}


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of fixture `name` with `old` replaced by `new` (which must be in it)."""
    text = (CAMUNDA / name).read_text()
    assert old in text, old
    diagram = tmp_path / name
    diagram.write_text(text.replace(old, new))
    return diagram


def refusal_of(name: str):
    [problem] = validate(load_source(CAMUNDA / name))
    return problem


@pytest.fixture
def open_camunda(engine):
    def _open(name: str, data: dict | None = None) -> Case:
        source = load_source(CAMUNDA / name)
        return Case(load_specs(source.files, source.main, source.process_id), engine, data)

    return _open


def test_nameless_user_task_is_a_warning_and_the_task_shows_its_id(open_camunda):
    warning = warnings_of("nameless-user-task.bpmn")["label.missing"]
    assert warning.element_id == "Task_Check" and "show its id, Task_Check" in warning.message
    [task] = open_camunda("nameless-user-task.bpmn").ready()
    assert task.name == "Task_Check"


def test_process_and_sub_process_without_end_event_end_when_nothing_is_left(open_camunda):
    warnings = [p for p in problems_of("no-end-event.bpmn") if p.rule == "process.no_end"]
    assert sorted(p.element_id for p in warnings) == ["Process_1", "Sub_Visit"] and all(p.is_warning for p in warnings)
    case = open_camunda("no-end-event.bpmn")
    case.complete("Task_Intake")
    case.complete("Task_Visit")
    assert case.completed and not case.failures


def test_drawn_loop_is_a_warning_and_stops_at_its_bound_with_a_located_error(open_camunda):
    warning = warnings_of("drawn-loop.bpmn")["flow.loop"]
    assert warning.element_id == "Flow_Again" and "at most 3 times" in warning.message
    case = open_camunda("drawn-loop.bpmn", {"reached": False})
    for _ in range(3):
        case.complete("Task_Call", {"reached": False})
    [failure] = case.failures
    assert failure.bpmn_id == "Task_Call" and "reached its bound after 3 turns" in failure.message
    assert not case.ready() and not case.completed


def test_drawn_loop_within_its_bound_runs_to_the_end(open_camunda):
    case = open_camunda("drawn-loop.bpmn", {"reached": False})
    case.complete("Task_Call", {"reached": False})
    case.complete("Task_Call", {"reached": True})
    assert case.completed and not case.failures


def test_loop_bound_outside_its_limits_is_an_error(tmp_path: Path):
    diagram = tmp_path / "loop.bpmn"
    diagram.write_text((CAMUNDA / "drawn-loop.bpmn").read_text().replace('value="3"', 'value="5000"'))
    [problem] = validate(load_source(diagram))
    assert problem.rule == "loop.unbounded" and "from 1 to 250" in problem.message


def test_error_ref_naming_no_error_is_the_error_code(open_camunda):
    warnings = [p for p in problems_of("error-ref-without-error.bpmn") if p.rule == "event.error_code_from_ref"]
    assert warnings and all(p.is_warning and "'NO_CONSENT' is the error code" in p.message for p in warnings)
    case = open_camunda("error-ref-without-error.bpmn")
    assert case.ready_ids() == ["Task_AskConsent"]


def test_gateway_flows_without_id_are_not_taken_for_the_default(open_camunda):
    # `risk` comes with the data the case is opened with: only the warning that nothing in the pathway sets it.
    assert [p.rule for p in problems_of("default-flow-without-ids.bpmn")] == ["flow.unknown_variable"] * 2
    assert open_camunda("default-flow-without-ids.bpmn", {"risk": "high"}).ready_ids() == ["Task_High"]


def test_activity_with_several_outgoing_flows_takes_every_flow_whose_condition_holds(open_camunda):
    warning = warnings_of("implicit-split.bpmn")["task.several_outgoing"]
    assert warning.element_id == "Task_Assess" and "3 outgoing flows" in warning.message
    case = open_camunda("implicit-split.bpmn", {"health": True, "shelter": False})
    case.complete("Task_Assess")
    assert case.ready_ids() == ["Task_Followup", "Task_Health"]


def test_cron_cycle_fires_in_the_installation_time_zone(open_camunda, clock):
    warning = [p for p in problems_of("cron-cycle.bpmn") if p.rule == "timer.cron"][0]
    assert "Africa/Douala" in warning.message
    case = open_camunda("cron-cycle.bpmn")
    [timer] = case.timers()
    # The clock reads 07:00 UTC (08:00 in Douala): the next 09:00 in Douala is 08:00 UTC the same day.
    assert timer.due_at == datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    clock.advance(timedelta(hours=1, seconds=1))
    case.advance()
    assert case.ready_ids() == ["Task_Ack", "Task_Remind"]
    [timer] = case.timers()
    assert timer.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=timezone.utc)


def test_time_date_given_as_a_duration_counts_from_when_the_timer_is_reached(open_camunda, clock):
    assert "is a duration" in warnings_of("timedate-duration.bpmn")["timer.date_as_duration"].message
    [timer] = open_camunda("timedate-duration.bpmn").timers()
    assert timer.due_at == clock.now() + timedelta(hours=1)


def test_bad_cron_and_cron_outside_a_cycle_are_refused(tmp_path: Path):
    diagram = tmp_path / "cron.bpmn"
    text = (CAMUNDA / "cron-cycle.bpmn").read_text()
    diagram.write_text(text.replace("0 0 9 * * ?", "0 0 25 * * ?"))
    [problem] = validate(load_source(diagram))
    assert problem.rule == "timer.invalid" and 'hours "25" must be from 0 to 23' in problem.message
    diagram.write_text(text.replace("timeCycle", "timeDuration"))
    [problem] = validate(load_source(diagram))
    assert "only a cycle (timeCycle) may be" in problem.message


def test_prefixed_message_ref_is_resolved_through_the_target_namespace(open_camunda):
    assert problems_of("prefixed-message-ref.bpmn") == []


def test_several_executable_processes_run_the_first_with_a_warning(open_camunda):
    warning = warnings_of("several-executable.bpmn")["process.several"]
    assert "Process_Main" in warning.message and "process:" in warning.message
    assert open_camunda("several-executable.bpmn").ready_ids() == ["Task_Main"]


def test_unconditioned_inclusive_flow_is_always_taken(open_camunda):
    assert [p.rule for p in problems_of("inclusive-unconditioned.bpmn")] == ["process.no_end", "flow.unknown_variable"]
    assert open_camunda("inclusive-unconditioned.bpmn", {"health": True}).ready_ids() == ["Task_Followup", "Task_Health"]
    assert open_camunda("inclusive-unconditioned.bpmn", {"health": False}).ready_ids() == ["Task_Followup"]


def test_unconditioned_exclusive_branch_is_taken_unless_an_earlier_branch_holds(open_camunda):
    warning = warnings_of("exclusive-unconditioned.bpmn")["gateway.unconditional_branch"]
    assert warning.element_id == "Flow_Routine"
    assert open_camunda("exclusive-unconditioned.bpmn", {"risk": "high"}).ready_ids() == ["Task_High"]
    # Flow_Never comes after the unconditioned branch in the file: Camunda never takes it.
    assert open_camunda("exclusive-unconditioned.bpmn", {"risk": "low"}).ready_ids() == ["Task_Routine"]


def test_python_script_indented_in_the_xml_runs(open_camunda):
    assert problems_of("indented-python-script.bpmn") == []
    [task] = open_camunda("indented-python-script.bpmn", {"urgent": True}).ready()
    assert task.bpmn_id == "Task_Review"


def test_activiti_attributes_are_read_as_camunda_ones(open_camunda):
    assert problems_of("activiti-namespace.bpmn") == []
    [task] = open_camunda("activiti-namespace.bpmn").ready()
    assert task.candidate_groups == ["caseworker"] and task.due_at is not None


def test_flowable_attributes_are_read_like_activiti_ones_and_its_java_delegates_refused_by_name(open_camunda):
    # Flowable is Activiti's other fork: its flowable: attributes are Activiti's. Read as such, a
    # delegate class is refused as Java, not reported as a service task naming no operation.
    problems = problems_of("flowable-namespace.bpmn")
    assert [(p.rule, p.element_id) for p in problems] == [("unsupported.java", "Task_Notify")]
    assert problems_of("flowable-user-task.bpmn") == []
    [task] = open_camunda("flowable-user-task.bpmn").ready()
    assert task.candidate_groups == ["caseworker"] and task.due_at is not None


def test_reserved_ids_run_under_another_id_with_a_warning(open_camunda):
    warnings = [p for p in problems_of("reserved-ids.bpmn") if p.rule == "id.reserved"]
    assert sorted(p.element_id for p in warnings) == ["End_1", "Start_1"]
    case = open_camunda("reserved-ids.bpmn")
    case.complete("Task_Work")
    assert case.completed


@pytest.mark.parametrize(("name", "rule", "words"), [
    ("groovy-script.bpmn", "unsupported.script_language", "Groovy scripts are not run here: write the script in the safe language"),
    ("cmmn-case.bpmn", "unsupported.cmmn", "CMMN cases are not supported"),
    ("compensation.bpmn", "unsupported.compensation", "compensation is not supported"),
    ("embedded-form.bpmn", "unsupported.form", "Camunda Form"),
])
def test_unsupported_features_are_refused_by_name(name: str, rule: str, words: str):
    problems = [p for p in validate(load_source(CAMUNDA / name))]
    assert problems and {p.rule for p in problems} == {rule}
    assert all(words in p.message for p in problems), [str(p) for p in problems]


def test_called_element_expression_chooses_the_process_when_reached(open_camunda):
    problems = problems_of("called-element-expression.bpmn")
    assert {p.rule for p in problems} == {"call.chosen_at_run_time", "process.several"} and all(p.is_warning for p in problems)
    case = open_camunda("called-element-expression.bpmn", {"service_process": "Process_Shelter"})
    assert case.ready_ids() == ["Task_Shelter"]  # the case was saved and restored in between
    case.complete("Task_Shelter")
    assert case.ready_ids() == ["Task_Close"]


def test_called_element_expression_naming_no_process_fails_the_step_with_the_choices(open_camunda):
    case = open_camunda("called-element-expression.bpmn", {"service_process": "Process_Cash"})
    [failure] = case.failures
    assert failure.bpmn_id == "Call_Service"
    assert "'Process_Cash'" in failure.message and "Process_Health, Process_Shelter" in failure.message


def test_field_id_with_dashes_is_reached_in_conditions_by_its_safe_name(open_camunda):
    assert problems_of("dashed-field-id.bpmn") == []
    case = open_camunda("dashed-field-id.bpmn")
    case.complete("Task_Income", {"jaar-omzet": 9000})
    assert case.ready_ids() == ["Task_Grant"]


def test_field_ids_meeting_on_the_same_safe_name_are_refused(tmp_path: Path):
    diagram = edited(tmp_path, "dashed-field-id.bpmn",
                     '<camunda:formField id="jaar-omzet" label="Yearly turnover" type="long" />',
                     '<camunda:formField id="jaar-omzet" label="Yearly turnover" type="long" /><camunda:formField id="jaar_omzet" label="Again" type="long" />')
    [problem] = validate(load_source(diagram))
    assert problem.rule == "form.duplicate_field" and "jaar_omzet" in problem.message


def test_group_no_role_holds_and_assignee_no_user_is_are_warnings(tmp_path: Path):
    diagram = tmp_path / "who.bpmn"
    diagram.write_text((CAMUNDA / "nameless-user-task.bpmn").read_text().replace(
        '<bpmn:userTask id="Task_Check" />',
        '<bpmn:userTask id="Task_Check" name="Check" camunda:candidateGroups="legal_team, supervisor" camunda:assignee="demo" />'))
    source = load_source(diagram)
    assert validate(source, users={"amina"}) == []
    warnings = {p.rule: p.message for p in review(source, users={"amina"})}
    assert "candidate group 'legal_team' is no role" in warnings["task.group_no_role"]
    assert "assignee 'demo' is not a user" in warnings["task.unknown_assignee"] and "offered to legal_team, supervisor" in warnings["task.unknown_assignee"]
    assert "task.unknown_assignee" not in {p.rule for p in review(source)}  # users unknown: nothing said


PLAN_FORM = """{"id": "Form_Plan", "components": [
  {"type": "taglist", "key": "needs", "label": "Needs", "valuesKey": "known_needs"},
  {"type": "textfield", "key": "note", "label": "Note", "conditional": {"hide": "=if child then true else false"}}]}"""


def test_camunda_form_becomes_the_task_form_and_checks_values(engine):
    from engine.pathways.form_check import clean_form_data
    from engine.pathways.forms import load_form
    from engine.errors import InvalidData

    source = load_source(CAMUNDA / "camunda-form")
    assert review(source) == []
    form = load_form(source.files, "Task_Identify")
    assert [(f.id, f.type) for f in form.fields] == [
        ("full_name", "string"), ("story", "string"), ("age", "long"), ("child", "boolean"),
        ("modality", "enum"), ("risk", "enum"), ("returned_on", "date")]
    assert [(v.id, v.name) for v in form.field("modality").values] == [("assisted", "Assisted"), ("forced", "Forced")]
    assert form.field("full_name").required and form.field("age").constraints == {"min": "0", "max": "120"}
    case = Case(load_specs(source.files, source.main), engine)
    [task] = case.ready()
    with pytest.raises(InvalidData) as refused:
        clean_form_data(task.form, {"full_name": "A", "age": 130, "modality": "assisted", "risk": "low"})
    assert set(refused.value.errors) == {"full_name", "age"}
    case.complete("Task_Identify", {"full_name": "Amina", "age": 30, "modality": "assisted", "risk": "low", "returned_on": "2026-02-01"})
    assert case.ready_ids() == ["Task_Plan"]


def test_camunda_form_parts_not_translated_are_refused_by_key(tmp_path: Path):
    import shutil

    folder = tmp_path / "camunda-form"
    shutil.copytree(CAMUNDA / "camunda-form", folder)
    (folder / "forms" / "plan.form").write_text(PLAN_FORM, encoding="utf-8")
    diagram = folder / "pathway.bpmn"
    diagram.write_text(diagram.read_text().replace('name="Plan the return" />', 'name="Plan the return" camunda:formKey="camunda-forms:deployment:forms/plan.form" />'))
    problems = validate(load_source(folder))
    assert [(p.rule, p.element_id) for p in problems] == [("unsupported.form_component", "Task_Plan")] * 2
    assert "'needs': options taken from a variable (valuesKey)" in problems[0].message
    assert "'note': the condition hide='=if child then true else false' (forms/plan.form): cannot translate" in problems[1].message
    diagram.write_text(diagram.read_text().replace("forms/plan.form", "forms/elsewhere.form"))
    [missing] = validate(load_source(folder))
    assert missing.rule == "form.missing" and "'forms/elsewhere.form', which is not a .form file" in missing.message


def test_a_task_in_a_lane_named_after_a_role_is_offered_to_that_role(open_camunda):
    [warning] = problems_of("provider-lane.bpmn")
    assert (warning.rule, warning.element_id, warning.severity) == ("task.lane_no_role", "Task_Legal", "warning")
    assert "lane 'Legal desk'" in warning.message
    case = open_camunda("provider-lane.bpmn")
    [refer] = case.ready()
    assert refer.candidate_groups == ["caseworker"]
    case.complete("Task_Refer")
    [ack] = case.ready()
    assert ack.candidate_groups == ["provider_focal_point"]
    case.complete("Task_Ack")
    [legal] = case.ready()
    assert legal.candidate_groups == []  # the services then offer it to caseworkers, as the warning says


def test_boundary_timer_that_opens_a_task_but_alerts_no_one_is_warned_about(tmp_path: Path):
    [warning] = [p for p in problems_of("cron-cycle.bpmn") if p.rule == "timer.alerts_no_one"]
    assert warning.element_id == "Timer_Daily" and "'Remind the provider'" in warning.message
    diagram = tmp_path / "escalating.bpmn"
    diagram.write_text((CAMUNDA / "cron-cycle.bpmn").read_text().replace(
        'attachedToRef="Task_Ack">',
        'attachedToRef="Task_Ack"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="aiguillage.escalation" value="1" /></camunda:properties></bpmn:extensionElements>'))
    assert "timer.alerts_no_one" not in {p.rule for p in review(load_source(diagram))}


def test_untyped_field_with_min_max_takes_a_whole_number_with_a_warning(open_camunda):
    from engine.errors import InvalidData
    from engine.pathways.form_check import clean_form_data

    warnings = [p for p in problems_of("untyped-field-limits.bpmn")]
    assert [(p.rule, p.severity) for p in warnings] == [("form.no_type", "warning")] * 2
    assert "a whole number (type long)" in warnings[0].message and "text (type string)" in warnings[1].message
    case = open_camunda("untyped-field-limits.bpmn")
    [task] = case.ready()
    with pytest.raises(InvalidData) as refused:
        clean_form_data(task.form, {"household_size": 31, "village": "Mora"})
    assert list(refused.value.errors) == ["household_size"]
    assert clean_form_data(task.form, {"household_size": "4", "village": "Mora"}) == {"household_size": 4, "village": "Mora"}


def test_signal_without_name_is_refused_in_words_not_with_the_library_text():
    problems = validate(load_source(CAMUNDA / "unnamed-signal.bpmn"))
    assert [(p.rule, p.element_id) for p in problems] == [("event.signal_unnamed", "Event_Cleared"), ("event.signal_unnamed", None)]
    assert "'Signal_Cleared' has no name" in problems[0].message and "'Released' has no id" in problems[1].message
    assert not any("Error" in p.message or "identifier" in p.message for p in problems)


def test_a_diagram_made_for_camunda_8_is_refused_by_naming_its_zeebe_settings_and_feel_expressions():
    problems = validate(load_source(CAMUNDA / "camunda8-zeebe.bpmn"))
    assert {p.rule for p in problems} == {"unsupported.camunda8"}, [str(p) for p in problems]
    by_element = {p.element_id: p.message for p in problems}
    # The user task's form and assignment would otherwise be dropped without a word.
    assert "zeebe:formDefinition, zeebe:assignmentDefinition" in by_element["Task_Review"]
    # Not "names no operation" nor "has no script": the step has them, for another engine.
    assert "zeebe:taskDefinition" in by_element["Task_Notify"] and "zeebe:script" in by_element["Task_Count"]
    assert by_element["Flow_No"].startswith('condition "=approved = false" is a Camunda 8 (FEEL) expression')
    assert all("Camunda 7" in message or "safe language" in message for message in by_element.values())


def test_task_settings_of_jbpm_and_kogito_are_refused_by_name_with_what_to_draw_in_camunda_7():
    problems = validate(load_source(CAMUNDA / "jbpm-kogito-settings.bpmn2"))
    found = {(p.rule, p.element_id, p.message.split(" (", 1)[0]) for p in problems}
    # Who does the review, what runs on entering it, what the email task does, which way the gateway goes.
    assert found == {
        ("unsupported.foreign", "Task_Review", "bpmn:potentialOwner"),
        ("unsupported.foreign", "Task_Review", "drools:onEntry-script"),
        ("unsupported.foreign", "Task_Email", "drools:taskName"),
        ("unsupported.script_language", "Flow_Yes", "Java conditions are not run here: remove the language setting and write the condition in the safe language"),
        ("unsupported.script_language", "Flow_No", "Java conditions are not run here: remove the language setting and write the condition in the safe language"),
    }, [str(p) for p in problems]
    owner = next(p.message for p in problems if "potentialOwner" in p.message)
    assert owner.startswith("bpmn:potentialOwner (jBPM/Kogito) says who does the task") and "camunda:candidateGroups" in owner


def test_spiffworkflow_settings_are_refused_by_name_and_colours_of_other_modelers_pass():
    problems = validate(load_source(CAMUNDA / "spiffworkflow-settings.bpmn"))
    assert {p.rule for p in problems} == {"unsupported.foreign"}, [str(p) for p in problems]
    assert [p.message.split(" (", 1)[0] for p in problems] == [
        "spiffworkflow:property formJsonSchemaFilename", "spiffworkflow:property formUiSchemaFilename",
        "spiffworkflow:preScript", "spiffworkflow:serviceTaskOperator"]
    # Not also "names no operation": the step has one, for another engine.
    assert 'external task (camunda:type="external")' in problems[-1].message
    # Instructions shown with the task, signavio: and bizagi: colours change nothing in a case.
    assert not [p for p in problems if any(word in p.message for word in ("instructions", "signavio", "bizagi"))]


def test_a_bpmn2_file_as_jbpm_and_eclipse_save_them_is_read_like_a_bpmn_file(tmp_path):
    source = load_source(CAMUNDA / "jbpm-kogito-settings.bpmn2")
    assert source.main == "jbpm-kogito-settings.bpmn2" and list(source.files) == ["jbpm-kogito-settings.bpmn2"]
    folder = tmp_path / "referral"
    folder.mkdir()
    (folder / "pathway.yaml").write_text("id: referral\ntitle: {en: Referral}\nlanguages: [en]\nmain: referral.bpmn2\n")
    (folder / "referral.bpmn2").write_bytes((CAMUNDA / "nameless-user-task.bpmn").read_bytes())
    assert load_source(folder).main == "referral.bpmn2"
    assert not [p for p in validate(load_source(folder)) if p.rule.startswith("file.")]


def test_jbpm_task_inputs_that_say_who_does_a_task_or_when_it_is_late_are_refused_by_name():
    # jBPM's designer saves a task's group and its "not started" reassignment as data inputs, not as attributes.
    problems = validate(load_source(CAMUNDA / "jbpm-task-inputs.bpmn2"))
    found = {(p.rule, p.element_id, p.message.split(" (", 1)[0]) for p in problems}
    assert found == {("unsupported.foreign", "_Task_Review", "dataInput GroupId"),
                     ("unsupported.foreign", "_Task_Review", "dataInput NotStartedReassign")}, [str(p) for p in problems]
    deadline = next(p.message for p in problems if "NotStartedReassign" in p.message)
    assert "timer boundary event" in deadline
    group = next(p.message for p in problems if "GroupId" in p.message)
    assert "camunda:candidateGroups" in group


def test_task_data_inputs_and_outputs_are_not_read_as_in_camunda_7_and_the_case_runs(open_camunda):
    # SpiffWorkflow alone stops such a case at its first task ("Missing data input"), and a mapping from a process
    # property is a load error naming an lxml element: the step reads the case's variables, with a warning.
    warnings = [p for p in problems_of("jbpm-mapped-task-data.bpmn2") if p.rule == "unsupported.data_io"]
    assert all(p.is_warning for p in warnings) and sorted(p.element_id for p in warnings) == ["_Task_Decide", "_Task_Review"]
    decide = next(p.message for p in warnings if p.element_id == "_Task_Decide")
    assert "(TaskName, person, decision)" in decide and "camunda:inputOutput" in decide
    assert not validate(load_source(CAMUNDA / "jbpm-mapped-task-data.bpmn2"))
    case = open_camunda("jbpm-mapped-task-data.bpmn2", {"person": "A."})
    case.complete("_Task_Review")
    case.complete("_Task_Decide", {"decision": "accepted"})
    assert case.completed and not case.failures


def test_an_activity_default_flow_is_taken_only_when_no_condition_of_the_activity_holds(open_camunda):
    # Before, the default mark stayed on the task and the split drawn after it refused the flow, naming that split.
    warning = warnings_of("activity-default-flow.bpmn")["task.several_outgoing"]
    assert "else its default flow" in warning.message
    urgent = open_camunda("activity-default-flow.bpmn")
    urgent.complete("Task_Check", {"urgent": True})
    assert urgent.ready_ids() == ["Task_Urgent"]
    normal = open_camunda("activity-default-flow.bpmn")
    normal.complete("Task_Check", {"urgent": False})
    assert normal.ready_ids() == ["Task_Normal"]


def test_an_empty_condition_on_a_flow_leaving_an_activity_is_refused_naming_the_activity(tmp_path: Path):
    diagram = edited(tmp_path, "activity-default-flow.bpmn",
                     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${urgent}</bpmn:conditionExpression>',
                     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" />')
    [problem] = validate(load_source(diagram))
    assert (problem.rule, problem.element_id) == ("gateway.unconditional_branch", "Flow_Urgent")
    assert problem.message.startswith("this flow leaving 'Check' has an empty condition"), problem.message


def test_a_condition_in_feel_named_by_its_address_is_refused_as_feel(tmp_path: Path):
    # Signavio, Trisotech and the MIWG reference models name FEEL by the address of a DMN version.
    diagram = edited(tmp_path, "activity-default-flow.bpmn", '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">',
                     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
                     'language="https://www.omg.org/spec/DMN/20191111/FEEL/">')
    [problem] = validate(load_source(diagram))
    assert problem.rule == "unsupported.script_language" and problem.message.startswith("FEEL conditions are not run here")


def test_the_placeholder_bpmn_js_draws_for_an_association_is_not_named_as_the_authors_data(tmp_path: Path):
    diagram = edited(tmp_path, "activity-default-flow.bpmn", '<bpmn:userTask id="Task_Urgent" name="Act now" />',
                     '<bpmn:userTask id="Task_Urgent" name="Act now"><bpmn:ioSpecification>'
                     '<bpmn:dataInput id="In_1" name="__targetRef_placeholder" /><bpmn:dataInput id="In_2" name="urgency" />'
                     '<bpmn:inputSet><bpmn:dataInputRefs>In_1</bpmn:dataInputRefs><bpmn:dataInputRefs>In_2</bpmn:dataInputRefs>'
                     '</bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification></bpmn:userTask>')
    [warning] = [p for p in review(load_source(diagram)) if p.rule == "unsupported.data_io"]
    assert "(urgency)" in warning.message, warning.message


@pytest.mark.parametrize("condition", ["bpmn:getDataObject('risk') = 'high'", "getDataObject(\"risk\")/level &gt; 2"])
def test_an_xpath_condition_is_refused_as_xpath_naming_its_function(tmp_path, condition):
    # Tools that follow the BPMN standard write conditions in XPath, its default language, reaching
    # the process's data through the standard's functions: not a typing slip in the safe language.
    diagram = edited(tmp_path, "exclusive-unconditioned.bpmn", "${risk == 'high'}", condition)
    [problem] = [p for p in review(load_source(diagram)) if p.element_id == "Flow_High"]
    assert (problem.rule, problem.is_warning) == ("unsupported.script_language", False)
    assert "XPath expressions are not run here (" in problem.message and "getDataObject)" in problem.message
