"""Validation problems in the reader's language: on the draft page (headline and detail) and on the
command line (`--lang`, else the locale), English as before; the count on the same stream."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

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


def test_a_condition_reading_a_variable_nothing_sets_is_a_warning_on_the_draft_page_in_both_languages(client, container):
    sign_in(client, "diane_author")
    draft = upload(client, (CAMUNDA / "default-flow-without-ids.bpmn").read_bytes(), "risk.bpmn").headers["Location"]
    page = html.unescape(client.get(draft).get_data(as_text=True))
    warnings = page[page.index('<ol class="problems'):]
    assert "Une condition lit une variable que rien dans le parcours ne définit" in warnings
    assert ("la condition \"${risk == 'high'}\" du flux 'Flow_Gateway_Risk_Task_High' lit 'risk', qu'aucun champ de "
            "formulaire, script ou autre étape de ce parcours ne définit ; vérifiez le nom") in warnings
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/")})
    page = html.unescape(client.get(draft).get_data(as_text=True))
    assert "A condition reads a variable that nothing in the pathway sets" in page
    assert "the condition \"${risk != 'high'}\" of flow 'Flow_Gateway_Risk_Task_Low' reads 'risk'" in page


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


MISTAKES = CAMUNDA / "mistakes-an-author-makes.bpmn"
# Words only an English detail has. A quoted value (the author's own text) and a library's reason kept as it
# says it (Python's "invalid syntax") are left out.
ENGLISH_WORDS = re.compile(r"\b(the|is|are|not|allowed|needs|write|applies|only|than|expected|here|must)\b")


def _english_left(detail: str) -> list[str]:
    return ENGLISH_WORDS.findall(re.sub(r"\"[^\"]*\"|'[^'\s]*'|invalid syntax", "", detail))


def test_every_detail_of_an_authors_usual_mistakes_is_in_french_around_the_values_it_names():
    """Expressions, scripts, field defaults and constraints, timers and the BPMN schema's own refusals."""
    lines = _validate("--lang", "fr", "pathway", "validate", str(MISTAKES)).stdout.splitlines()
    assert len(lines) == 12 and lines[-1] == f"{MISTAKES}: 11 problèmes", lines
    assert not {line: _english_left(line.split(" : ", 1)[1]) for line in lines[:-1] if _english_left(line.split(" : ", 1)[1])}
    french = "\n".join(lines)
    # The parser's reason is kept as it says it, inside a French sentence.
    assert 'condition "urgent ==" : l\'expression n\'est pas valide : invalid syntax' in french
    assert "champ 'urgent' : la valeur par défaut 'No' n'est pas une valeur valide de type boolean" in french
    assert "champ 'age' : contrainte min='abc' : min demande un nombre entier" in french
    assert "l'élément 'bpmn:userTsk' n'est pas permis ici ; attendu : l'un de (bpmn:artifact" in french
    assert "l'attribut 'colour' n'est pas permis sur l'élément 'bpmn:process'" in french
    english = _validate("pathway", "validate", str(MISTAKES)).stdout
    assert "attribute 'colour' is not allowed on element 'bpmn:process'" in english


SCRIPTS = (
    "x = lambda: 1", "x = [a for a in b]", "x = f'{a}'", "x = (y := 1)", "x = [*a]", "import os", "for a in b:\n    x = 1",
    "def f():\n    x = 1", "class A:\n    x = 1", "with a:\n    x = 1", "try:\n    x = 1\nexcept E:\n    x = 2", "del a",
    "global a", "raise E", "assert a", "return 1", "x: int = 1", "match a:\n    case 1:\n        x = 1", "x = a & b",
    "x = a ^ b", "x = ~a", "x = _a", "x = a.__class__", "true = 1", "x = open('f')", "x = lenn(a)", "x = round(a, foo=1)",
    "x = 'a'.foo()", "x = a.foo()", "x = b[0](1)", "a.b = 1", "a, b.c = 1, 2", "len(a)", "x = " + "9" * 200, "x = b'a'",
    "x = 1j", "x = 'a%s' % b", "x = (", "x = 1\ny = (", "x = 1\n" * 3000, "x = round(**a)",
)
EXPRESSIONS = ("a ==", "[" * 150 + "]" * 150, "a" * 10_001, "a +" * 3000 + " a", "__import__('os')")


def _refusals():
    from engine.errors import ExpressionError
    from engine.expressions import check_expression, check_script
    from engine.expressions.checker import _REFUSALS

    for what, check, texts in (("script", check_script, SCRIPTS), ("condition", check_expression, EXPRESSIONS)):
        for text in texts:
            with pytest.raises(ExpressionError) as refused:
                check(text)
            yield f'{what} "{" ".join(text.split())[:57]}": {refused.value.message}'
    # Each refusal by kind of Python statement, even those another refusal hides (yield inside a def).
    yield from (f'script "x": {refusal}' for refusal in set(_REFUSALS.values()))


def test_every_refusal_of_the_safe_expression_language_is_worded_in_french():
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    start_language(None, None, "fr")
    try:
        with in_cli_language():
            worded = {message: worded_detail(message) for message in _refusals()}
    finally:
        start_language(None, None, None)
    assert not [message for message, (_, done) in worded.items() if not done]
    assert not {message: french for message, (french, _) in worded.items() if _english_left(french.split(" : ", 1)[1])}


# Where the validator writes its details: the pathway checks (not the scenario runner, the explorer or the drawings)
# and the expression, timer, cron, FEEL and JUEL checkers (not the interpreter's errors while a case runs).
ENGINE = Path(__file__).resolve().parents[3] / "engine"
NOT_DETAILS = {"scenarios.py", "scenario_driver.py", "explore.py", "census.py", "flowchart.py", "comparison.py",
               "archive.py", "interpreter.py", "evaluation.py", "functions.py", "limits.py"}
# The calls that take a detail (or a part of one, worded in turn); the metadata checks gather theirs in lists.
DETAIL_CALLS = {"problem", "Problem", "_problem", "report", "_warning", "XmlProblem", "YamlProblem", "fail", "error",
                "ExpressionError", "Note", "_at"}
LISTED_IN = {"groups.py", "retention.py", "sharing.py", "case_summary.py", "form_rules.py"}
HOLE = object()


def _template(node) -> list | None:
    """A message as characters, HOLE where a value goes; None for what is no text."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return list(node.value)
    if isinstance(node, ast.JoinedStr):
        return [c for value in node.values for c in (_template(value) or [HOLE])]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        return None if left is None and right is None else (left or [HOLE]) + (right or [HOLE])
    return None


def _engine_templates():
    import ast

    for path in sorted(ENGINE.glob("pathways/**/*.py")) + sorted(ENGINE.glob("expressions/*.py")):
        if path.name in NOT_DETAILS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in DETAIL_CALLS or (name == "append" and path.name in LISTED_IN):
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
                # A field's rules are listed as (detail, rule) pairs.
                arguments += [argument.elts[0] for argument in arguments if isinstance(argument, ast.Tuple) and argument.elts]
                for argument in arguments:
                    template = _template(argument)
                    # A word alone is a rule code or a name, not a detail.
                    if template and " " in template and any(c is not HOLE for c in template):
                        yield f"{path.relative_to(ENGINE.parent)}:{node.lineno}", template


def _fits(engine: list, catalog: list) -> bool:
    """Whether some detail fits both the engine's template and the catalog's. A value in the engine's template
    may be a few fixed words of the engine, but no semicolon or double quote; a value in the catalog's may
    take the engine's values and a word or the quotes around them, no more."""
    seen, todo = set(), [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(engine) and j == len(catalog):
            return True
        e = engine[i] if i < len(engine) else None
        c = catalog[j] if j < len(catalog) else None
        if e is HOLE:
            todo.append((i + 1, j))
            if c is HOLE or (c is not None and c not in ';"'):
                todo.append((i, j + 1))
        if c is HOLE:
            todo.append((i, j + 1))
            if e is HOLE or (e is not None and e not in ' :;'):
                todo.append((i + 1, j))
        if e is not None and e is not HOLE and c is not None and c is not HOLE and e == c:
            todo.append((i + 1, j + 1))
    return False


def test_every_detail_the_validator_can_write_has_french_words():
    from webui.pathways.problem_details import DETAILS

    catalog = []
    for template in DETAILS:
        parts = re.split(r"%\(\w+\)s", template.replace("%%", "%"))
        catalog.append([c for index, part in enumerate(parts) for c in ([HOLE] if index else []) + list(part)])
    english = [f"{where}: {''.join('…' if c is HOLE else c for c in template)}"
               for where, template in _engine_templates() if not any(_fits(template, known) for known in catalog)]
    assert not english, "\n".join(english)


def _written_anywhere():
    """Every text of the validator's modules, HOLE where a value goes: a detail is often put together from parts
    kept in variables, so every text counts, not only those passed to a problem."""
    import ast

    for path in sorted(ENGINE.glob("pathways/**/*.py")) + sorted(ENGINE.glob("expressions/*.py")):
        if path.name not in NOT_DETAILS:
            for node in ast.walk(ast.parse(path.read_text())):
                template = _template(node) if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)) else None
                if template and " " in template:
                    yield template


def _templates_fitting(message: str, found: set[str]) -> None:
    """Put in `found` every catalog template `message` fits, and those its inner detail fits in turn."""
    from webui.pathways.problem_texts import _patterns

    for pattern, template in _patterns():
        match = pattern.fullmatch(message)
        if match:
            found.add(template)
            if match.groupdict().get("detail"):
                _templates_fitting(match.group("detail"), found)


# A detail put together across functions, made by a small pathway: a form with a field twice, and an activity whose
# every outgoing flow has a condition.
COMPOSED = (CAMUNDA / "implicit-split.bpmn").read_text().replace(
    '<bpmn:userTask id="Task_Assess" name="Assess needs" />',
    '<bpmn:userTask id="Task_Assess" name="Assess needs"><bpmn:extensionElements><camunda:formData>'
    '<camunda:formField id="health" type="boolean" /><camunda:formField id="health" type="boolean" />'
    '</camunda:formData></bpmn:extensionElements></bpmn:userTask>').replace(
    'targetRef="Task_Followup" />', 'targetRef="Task_Followup"><bpmn:conditionExpression>${true}</bpmn:conditionExpression>'
    '</bpmn:sequenceFlow>')


def test_every_template_of_the_catalog_is_one_the_validator_still_writes(tmp_path):
    """A template no detail fits any more (the validator's sentence changed, or its check went) is a dead text in
    the catalogs: it fits no text of the validator's modules, nor any problem of the fixtures and small pathways."""
    from test_problems_name_no_english_in_french import _problems

    from engine.pathways.folder import load_source
    from engine.pathways.validation import review
    from webui.pathways.problem_details import DETAILS

    written = list(_written_anywhere())
    catalog = {}
    for template in DETAILS:
        parts = re.split(r"%\(\w+\)s", template.replace("%%", "%"))
        catalog[template] = [c for index, part in enumerate(parts) for c in ([HOLE] if index else []) + list(part)]
    unwritten = [template for template, known in catalog.items()
                 if not any(_fits(engine, known) or _fits(known, engine) for engine in written)]
    (tmp_path / "composed.bpmn").write_text(COMPOSED)
    (tmp_path / "generated").mkdir()
    messages = [*_problems(tmp_path / "generated"), *_refusals(),
                *(problem.message for problem in review(load_source(tmp_path / "composed.bpmn")))]
    made: set[str] = set()
    for message in messages:
        _templates_fitting(message, made)
    dead = [template for template in unwritten if template not in made]
    assert not dead, "\n".join(dead)


def _french(message: str) -> tuple[str, bool]:
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    start_language(None, None, "fr")
    try:
        with in_cli_language():
            return worded_detail(message)
    finally:
        start_language(None, None, None)


@pytest.mark.parametrize("text", ["${a = b}", "${execution.getVariable(x)}", "${a.}", "${a +}", "${a ?? b}", "${x"])
def test_a_juel_expression_that_cannot_be_translated_is_refused_in_french(text):
    from engine.errors import ExpressionError
    from engine.expressions.juel import translate_juel

    with pytest.raises(ExpressionError) as refused:
        translate_juel(text)
    french, worded = _french(f'condition "{text}": {refused.value.message}')
    assert worded and french.startswith(f'condition "{text}" : impossible de traduire l\'expression JUEL'), french
    assert not _english_left(french.split(" : ", 1)[1]), french


@pytest.mark.parametrize("text", ["0 0 *", "0 0 8 L * ?", "0 0 9-8 * * ?", "0 0 25 * * ?"])
def test_a_wrong_cron_timer_is_refused_in_french(text):
    from engine.errors import ExpressionError
    from engine.expressions.cron import parse_cron

    with pytest.raises(ExpressionError) as refused:
        parse_cron(text)
    french, worded = _french(f'timer "{text}": {refused.value.message}')
    assert worded and "minuteur cron" in french and not _english_left(french.split(" : ", 1)[1]), french


def test_pathway_yaml_and_label_files_are_explained_in_french(tmp_path):
    (tmp_path / "pathway.yaml").write_text("id: Bad_Id\ntitle: {fr: Parcours}\nlanguages: [fr, en, fr]\ncolour: red\n")
    (tmp_path / "pathway.bpmn").write_bytes(NAMELESS.read_bytes())
    lines = _validate("--lang", "fr", "pathway", "validate", str(tmp_path)).stdout.splitlines()
    details = [line.split(" : ", 1)[1] for line in lines[:-1] if " : " in line]
    assert details and not {detail: _english_left(detail) for detail in details if _english_left(detail)}, lines
    french = "\n".join(lines)
    assert "pathway.yaml a une clé inconnue 'colour'" in french and "une langue figure deux fois dans languages" in french


@pytest.mark.parametrize(("language", "line"), [
    ("fr", "<li><strong>Âge</strong> : trop grand</li>"),
    ("en", "<li><strong>Âge</strong>: trop grand</li>"),
])
def test_the_error_pages_fields_set_their_colon_apart_in_french_only(app, language, line):
    from webui.error_pages import error_response

    with app.test_request_context("/", headers={"Accept-Language": language}):
        page = error_response(422, None, {"Âge": ["trop", "grand"]}).get_data(as_text=True)
    assert f'<html lang="{language}">' in page and line in page
