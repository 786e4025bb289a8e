"""Validation problems in the reader's language: on the draft page (headline and detail) and on the
command line (`--lang`, else the locale), English as before; the count on the same stream."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from test_pathway_authoring import upload
from web_forms import csrf_of, sign_in
from webui.cli import main

CAMUNDA = Path(__file__).resolve().parents[2] / "fixtures" / "camunda"
SIGNAL = CAMUNDA / "unnamed-signal.bpmn"
NAMELESS = CAMUNDA / "nameless-user-task.bpmn"
FRENCH_DETAIL = "le signal 'Signal_Cleared' n'a pas de nom, or les événements se rejoignent par le nom du signal"
ENGLISH_DETAIL = "the signal 'Signal_Cleared' has no name, and events meet by the signal's name"


def test_the_draft_page_words_the_detail_in_the_readers_language(client, container):
    sign_in(client, "diane_author")
    draft = upload(client, SIGNAL.read_bytes(), "signal.bpmn").headers["Location"]
    page = client.get(draft).get_data(as_text=True)
    assert "Un événement renvoie à quelque chose qui n&#39;existe pas" in page
    assert f'<span class="detail">{FRENCH_DETAIL}'.replace("'", "&#39;") in page
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/")})
    page = client.get(draft).get_data(as_text=True)
    assert f'<span class="detail">{ENGLISH_DETAIL}'.replace("'", "&#39;") in page


def _validate(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "", **(env or {})})


def test_the_command_line_speaks_french_when_asked_or_by_the_locale():
    for result in (_validate("--lang", "fr", "pathway", "validate", str(SIGNAL)),
                   _validate("pathway", "validate", str(SIGNAL), env={"LANG": "fr_CM.UTF-8"}),
                   _validate("pathway", "validate", "--lang", "fr", str(SIGNAL), env={"LANG": "C"})):
        lines = result.stdout.splitlines()
        assert result.exit_code == 1 and result.stderr == ""
        assert lines[0].endswith(f"Un événement renvoie à quelque chose qui n'existe pas : {FRENCH_DETAIL} ; donnez un nom au signal dans le modeleur")
        assert lines[-1] == f"{SIGNAL}: 2 problèmes"
    warned = _validate("pathway", "validate", str(NAMELESS), env={"LC_ALL": "fr_FR.UTF-8", "LANG": "en_GB.UTF-8"})
    assert "Task_Check: avertissement : Un libellé ou une traduction manque : la tâche utilisateur n'a pas de nom" in warned.stdout
    assert warned.stdout.splitlines()[-1].startswith(f"{NAMELESS}: valide (") and warned.stdout.endswith(", 1 avertissement)\n")


def test_the_command_line_stays_english_by_default_and_when_asked():
    for result in (_validate("pathway", "validate", str(SIGNAL)),
                   _validate("--lang", "en", "pathway", "validate", str(SIGNAL), env={"LANG": "fr_FR.UTF-8"})):
        lines = result.stdout.splitlines()
        assert lines[0] == f"{SIGNAL}:5: Event_Cleared 'Cleared by the police': {ENGLISH_DETAIL}; give the signal a name in the modeler"
        assert lines[-1] == f"{SIGNAL}: 2 problems" and result.stderr == ""


def test_command_line_errors_are_in_the_users_language(container):
    from engine.store.seed import load_demo_data

    load_demo_data(container.uow(), container.clock)
    french = CliRunner().invoke(main, ["--lang", "fr", "task", "form", "no-such-task", "--user", "demo-caseworker"],
                                                obj=container)
    assert french.exit_code == 1
    assert "Ce que vous demandez n'existe pas, ou vous n'avez pas le droit de le voir. (task no-such-task" in french.stderr
    english = CliRunner().invoke(main, ["task", "form", "no-such-task", "--user", "demo-caseworker"],
                                                 obj=container, env={"LANG": "C"})
    assert english.exit_code == 1 and "Ce que vous" not in english.stderr and "Error: " in english.stderr


GROUP_NO_ROLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_Helpers" name="Helpers" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_Help" name="Help" camunda:candidateGroups="helpers">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_Help" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Help" targetRef="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_who_does_what_warnings_are_worded_in_french_too(tmp_path):
    """The warnings of groups, drawn timers and referral steps have catalog sentences like the others."""
    diagram = tmp_path / "helpers.bpmn"
    diagram.write_text(GROUP_NO_ROLE)
    french = _validate("--lang", "fr", "pathway", "validate", str(diagram)).stdout
    assert "le groupe candidat 'helpers' n'est pas un rôle" in french, french
    english = _validate("pathway", "validate", str(diagram)).stdout
    assert "candidate group 'helpers' is no role" in english, english


CAMUNDA8 = CAMUNDA / "camunda8-zeebe.bpmn"


def test_a_camunda_8_diagram_is_refused_in_french_naming_what_this_engine_does_not_run():
    lines = _validate("--lang", "fr", "pathway", "validate", str(CAMUNDA8)).stdout.splitlines()
    assert f"{CAMUNDA8}:12: Task_Notify 'Notify': Un réglage fait pour Camunda 8, que ce moteur n'exécute pas : " \
           "les réglages de Camunda 8 (zeebe:taskDefinition) ne sont pas exécutés ici" in lines[1]
    assert "condition \"=approved\" est une expression de Camunda 8 (FEEL), qui n'est pas exécutée ici" in lines[3]
    assert not [line for line in lines if " is a " in line or " are not run" in line]


def test_details_frequent_in_diagrams_from_other_tools_are_worded_in_french(client, container):
    # A service task as BPMN modelers other than Camunda's draw it: no implementation at all.
    diagram = GROUP_NO_ROLE.replace('<bpmn:userTask id="Task_Help" name="Help" camunda:candidateGroups="helpers">',
                                    '<bpmn:serviceTask id="Task_Help" name="Help">').replace("</bpmn:userTask>",
                                                                                            "</bpmn:serviceTask>")
    sign_in(client, "diane_author")
    client.post("/language", data={"language": "fr", "csrf_token": csrf_of(client, "/")})
    page = client.get(upload(client, diagram.encode(), "other-tool.bpmn").headers["Location"]).get_data(as_text=True)
    assert ('<span class="detail">la tâche de service ne désigne aucune opération ; réglez son implémentation sur '
            "« External »") in page
    assert 'lang="en"' not in page.split('id="problems"')[1].split("</section>")[0]
