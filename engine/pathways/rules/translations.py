"""Label rules: user tasks are named, and every text has a label in every declared language."""

from __future__ import annotations

from engine.pathways.documents import BPMN_NS, Document, line_of
from engine.pathways.folder import METADATA_FILE, PathwaySource
from engine.pathways.labels import SECTIONS, diagram_texts, load_translations, translations_file
from engine.pathways.problems import Problem
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml

LANGUAGE_NAMES = {"fr": "French", "en": "English", "ar": "Arabic", "es": "Spanish", "pt": "Portuguese", "de": "German"}
_WHAT = {"elements": "the name", "documentation": "the documentation", "fields": "the field label",
         "values": "the option label", "sections": "the form section heading"}


def check_labels(source: PathwaySource, documents: list[Document], checked: set[str]) -> list[Problem]:
    """Unnamed user tasks; missing diagram labels (folders); missing translations per language."""
    bpmn = [d for d in documents if d.kind == "bpmn"]
    problems = _unnamed_user_tasks(bpmn, checked)
    if source.is_lone_file or not source.languages:
        return problems
    by_root = {id(d.root): d for d in bpmn}
    texts = diagram_texts([d.root for d in bpmn], checked)
    problems += _unlabelled_fields(texts, by_root)
    for language in source.languages[1:]:
        problems += _check_language(source, language, texts, by_root)
    return problems


def _unnamed_user_tasks(documents: list[Document], checked: set[str]) -> list[Problem]:
    problems = []
    for document in documents:
        for process in document.processes():
            if process.get("id") in checked:
                for task in process.iter(f"{{{BPMN_NS}}}userTask"):
                    if not (task.get("name") or "").strip():
                        problems.append(document.problem(task, "label.missing", f"the user task has no name; task lists show its id, {task.get('id') or '?'}; name it as users should see it (e.g. Assess needs)").as_warning())
    return problems


def _document_of(element, by_root: dict) -> Document | None:
    return by_root.get(id(element.getroottree().getroot()))


def _unlabelled_fields(texts, by_root: dict) -> list[Problem]:
    problems = []
    for section in ("fields", "values"):
        for key, text in getattr(texts, section).items():
            if text:
                continue
            element = texts.where[(section, key)]
            document = _document_of(element, by_root)
            what = "the form field" if section == "fields" else "the enum value"
            task = _task_of(element)
            problems.append(_at(document, task, element, "label.missing", f"{what} {key!r} has no label; give it the text users should read"))
    return problems


def _check_language(source: PathwaySource, language: str, texts, by_root: dict) -> list[Problem]:
    language_name = LANGUAGE_NAMES.get(language, language)
    name = translations_file(source, language)
    if name is None:
        return [Problem(METADATA_FILE, None, None, None, f"languages lists {language} but there is no i18n/{language}.yaml; add it with the {language_name} labels (see pathways/README.md)", "label.missing_file")]
    if isinstance(load_untrusted_yaml(source.files[name]), YamlProblem):
        return []  # already reported as yaml.invalid; its labels cannot be checked
    translations = load_translations(source, language)
    problems = []
    for section in SECTIONS:
        table = translations.get(section, {})
        if table is None:
            table = {}
        if not isinstance(table, dict):
            problems.append(Problem(name, None, None, None, f"'{section}:' must be a mapping of id: label", "label.invalid"))
            table = {}
        for key, text in getattr(texts, section).items():
            if not text:
                continue
            value = table.get(key)
            if isinstance(value, (str, int, float)) and str(value).strip():
                continue
            element = texts.where[(section, key)]
            document = _document_of(element, by_root)
            task = _task_of(element) if section in ("fields", "values", "sections") else element
            problems.append(_at(document, task, element, "label.missing",
                                f"{_WHAT[section]} {text[:60]!r} has no {language_name} label; add '{key}: ...' under {section}: in {name}"))
    return problems


def _task_of(element):
    current = element
    while current is not None and current.tag not in (f"{{{BPMN_NS}}}userTask", f"{{{BPMN_NS}}}startEvent"):
        current = current.getparent()
    return current if current is not None else element


def _at(document: Document | None, owner, element, rule: str, message: str) -> Problem:
    located = document.problem(owner, rule, message) if document else Problem("", None, None, None, message, rule)
    return Problem(located.file, line_of(element) or located.line, located.element_id, located.element_name, message, rule)
