"""Every problem the validator writes, read in French, carries none of the validator's English words inside it:
not where a cell sits in a decision table, nor a language's name, a cron field, a kind of element or an empty list."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.pathways.validation import review

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SHIPPED = Path(__file__).resolve().parents[3] / "pathways"
# The validator's own English words that a French detail must not keep (the French sentences around them use
# none of them). The author's texts are quoted and left out; so are the libraries' reasons, kept as they say them.
ENGLISH = re.compile(r"\b(the|is|are|not|has|have|no|of|and|with|without|found|none|rule|column|input|output|cell|"
                     r"decision|label|name|field|seconds|hours|day|month|week|year|activity|event|namespace|end|"
                     r"English|French|Arabic|Spanish|Portuguese|German|caseworkers)\b")
# The author's texts: quoted, listed along a loop (a → b), or an example's field (decision == 'accepted').
QUOTED = re.compile(r"\"[^\"]*\"|'[^'\s]*'|'[^']*'|«[^»]*»|<[^>\s]*>|\([^()]*→[^()]*\)|\w+ == ")
# Rules whose detail keeps a library's reason (lxml's, libxml2's schema, YAML's, Python's parser's) as it says it.
LIBRARY_REASONS = {"xml.malformed", "yaml.invalid", "bpmn.schema", "runtime.parse"}


def _french(messages: list[str]) -> dict[str, tuple[str, bool]]:
    from webui.cli.language import in_cli_language, start_language
    from webui.pathways.problem_texts import worded_detail

    start_language(None, None, "fr")
    try:
        with in_cli_language():
            return {message: worded_detail(message) for message in messages}
    finally:
        start_language(None, None, None)


def _english_left(french: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", french.replace("invalid syntax", "")))


def _fixture_sources() -> list[Path]:
    folders = sorted({path.parent for path in FIXTURES.rglob("pathway.yaml")} | {SHIPPED / "cameroon-nrm"})
    files = [path for path in sorted(FIXTURES.rglob("*.bpmn*"))
             if not any(folder in path.parents for folder in folders)]
    return folders + files


CRON = (FIXTURES / "camunda" / "cron-cycle.bpmn").read_text()
# One wrong value in each field, and the refusals that name a field.
CRONS = ("61 0 9 * * ?", "0 61 9 * * ?", "0 0 25 * * ?", "0 0 9 32 * ?", "0 0 9 ? 13 *", "0 0 9 ? * 9",
         "0 0 9 * * ? 1800", "0 0 9 L * ?", "0 0 9 ? * 5#2", "0 0 9-8 * * ?", "0 0 9 ? 5-2 *", "0 0 9", "0 0 9 30 2 ?")


def _generated_sources(folder: Path) -> list[Path]:
    """Small pathways that make the problems the fixtures do not: every cron field, every place in a decision
    table, the languages the validator names, labels missing, an assignee nobody is."""
    sources = []
    for number, cron in enumerate(CRONS):
        path = folder / f"cron-{number}.bpmn"
        path.write_text(CRON.replace("0 0 9 * * ?", cron))
        sources.append(path)
    decisions = folder / "decisions"
    shutil.copytree(FIXTURES / "broken" / "dmn.cell" / "escape-in-output-cell", decisions)
    table = (decisions / "priority.dmn").read_text()
    table = table.replace("<text>risk_level</text>", "<text>risk_level +</text>").replace(
        '<text>"high"</text>', "<text>_high</text>").replace('label="Priorité" name="priority"', 'name="priority"')
    (decisions / "priority.dmn").write_text(table)
    languages = folder / "languages"
    shutil.copytree(FIXTURES / "broken" / "label.missing" / "english-label-missing", languages)
    yaml = (languages / "pathway.yaml").read_text()
    (languages / "pathway.yaml").write_text(re.sub(r"languages:.*", "languages: [fr, en, ar, es, pt, de]", yaml))
    diagram = (languages / "pathway.bpmn").read_text()
    (languages / "pathway.bpmn").write_text(diagram.replace("<bpmn:userTask ", '<bpmn:userTask camunda:assignee="nobody" ', 1))
    xpath = folder / "xpath-condition.bpmn"
    xpath.write_text((FIXTURES / "camunda" / "exclusive-unconditioned.bpmn").read_text().replace(
        "${risk == 'high'}", "bpmn:getDataObject('risk') = 'high'"))
    return sources + [decisions, languages, xpath]


def _problems(folder: Path) -> dict[str, str]:
    found = {}
    for source in _fixture_sources() + _generated_sources(folder):
        for problem in review(load_source(source), users=["demo-caseworker"]):
            found.setdefault(problem.message, problem.rule)
    return found


def test_every_problem_of_the_fixtures_and_of_small_broken_pathways_reads_as_french(tmp_path):
    problems = _problems(tmp_path)
    french = _french(list(problems))
    assert not [message for message, (_, worded) in french.items() if not worded]
    left = {text: _english_left(text) for message, (text, _) in french.items()
            if problems[message] not in LIBRARY_REASONS and _english_left(text)}
    assert not left, "\n".join(left)
    # The generated pathways did make the problems this test is about.
    texts = "\n".join(text for text, _ in french.values())
    missing = [words for words in ("le champ des heures", "le champ du jour du mois", "le champ de l'année", "le champ des secondes",
                  "la plage 9-8 du champ des heures", "règle 1, colonne d'entrée 1 (Niveau de risque)",
                  "colonne de sortie 1 (priority) : cellule", "colonne d'entrée 1 : expression d'entrée", "libellés en anglais",
                  "libellés en arabe", "libellés en allemand", "offerte aux travailleurs sociaux",
                  "n'a pas de libellé en anglais", "(décisions trouvées : néant)", "l'activité a 3 flux sortants",
                  "les expressions XPath ne sont pas exécutées ici (bpmn:getDataObject)") if words not in texts]
    assert not missing, texts


@pytest.mark.parametrize(("english", "french"), [
    ("this is not a BPMN 2.0 diagram: it starts with <svg> in namespace http://www.w3.org/2000/svg, not "
     "<bpmn:definitions> in namespace http://www.omg.org/spec/BPMN/20100524/MODEL; export the diagram as BPMN 2.0 XML",
     "il commence par <svg> dans l'espace de noms http://www.w3.org/2000/svg, et non par"),
    ('service parameter amount "__x": \'__x\': names starting with \'_\' are not allowed',
     'paramètre de service amount "__x" :'),
])
def test_the_validators_own_words_inside_a_detail_are_french(english, french):
    text, worded = _french([english])[english]
    assert worded and french in text, text


def test_an_authors_value_that_looks_like_the_validators_words_is_kept_as_written():
    message = "the call activity calls process Process_X, which is in no file of the pathway (processes found: " \
              "Process_Y); add the .bpmn file or fix the id"
    text, _ = _french([message])[message]
    assert "(processus trouvés : Process_Y)" in text
