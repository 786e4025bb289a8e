"""Validation of a whole pathway: every problem at once, each located and explained."""

from __future__ import annotations

from collections.abc import Collection

from engine.pathways.documents import Document, read_documents
from engine.pathways.folder import PathwaySource
from engine.pathways.problems import Problem
from engine.pathways.rules import content, references, runtime, structure, yaml_files
from engine.pathways.rules.assignment import check_assignment
from engine.pathways.rules.loops import check_loop_markers, check_loops
from engine.pathways.rules.referrals import check_referral_steps
from engine.pathways.rules.schema import check_schema
from engine.pathways.rules.step_fields import check_step_forms

__all__ = ["INTERNAL_ERROR", "Problem", "review", "validate"]

# The rule of the one problem returned if a check itself fails: a bug of ours, never the author's.
INTERNAL_ERROR = "validator.internal_error"


def validate(source: PathwaySource, operations: Collection[str] | None = None, users: Collection[str] | None = None) -> list[Problem]:
    """Check everything about the pathway; an empty list means it can be published and run.

    `operations`, when given, are the service-task operations the engine provides; a service
    task naming another one is then a problem. Warnings are left out: `review` gives them too.
    """
    return [problem for problem in review(source, operations, users) if not problem.is_warning]


def review(source: PathwaySource, operations: Collection[str] | None = None, users: Collection[str] | None = None) -> list[Problem]:
    """Every error and every warning about the pathway, in file and line order.

    `users`, when given, are the installation's usernames: an assignee naming none of them is warned about.
    """
    try:
        return _validate(source, operations, users)
    except RecursionError:
        return [Problem(source.main, None, None, None, "the diagram is nested too deeply to be checked; simplify its structure", "bpmn.too_deep")]
    except Exception as error:  # noqa: BLE001 - publishing must get an answer; the fuzz tests keep this branch unused
        message = f"internal error while checking ({type(error).__name__}); please report it with the file"
        return [Problem(source.main, None, None, None, message, INTERNAL_ERROR)]


def _validate(source: PathwaySource, operations: Collection[str] | None, users: Collection[str] | None) -> list[Problem]:
    problems = list(source.problems)
    problems += yaml_files.check_yaml_files(source)
    documents = read_documents(source.files, problems)
    main = next((d for d in documents if d.file == source.main), None)
    bpmn = [d for d in documents if d.kind == "bpmn"]
    found = [_noted(document, note) for document in bpmn for note in document.notes]
    for document in bpmn:
        found += structure.check_duplicate_ids(document)
    if main is not None and main.kind == "bpmn":
        found += structure.check_main_process(main, source.process_id)
    checked = _checked_processes(bpmn, main)
    for document in bpmn:
        found += structure.check_containers(document, checked)
        found += check_loops(document, checked)
        found += check_loop_markers(document, checked)
    found += references.check_references(documents, checked)
    found += content.check_content(source, documents, checked, operations)
    found += check_assignment(documents, checked, users, source.metadata)
    found += check_referral_steps(documents, checked, source.metadata)
    found += check_step_forms(documents, checked, source.metadata)
    schema_problems = [p for d in bpmn for p in check_schema(d)]
    problems += found + _not_repeated(schema_problems, found)
    if main is not None and not any(not p.is_warning for p in problems):
        problems += runtime.check_runtime_parse(source)
    return _sorted(problems)


def _noted(document: Document, note) -> Problem:
    problem = document.problem(note.element, note.rule, note.message)
    return problem.as_warning() if note.warning else problem


def _checked_processes(documents: list[Document], main: Document | None) -> set[str]:
    """Executable processes, those reached by call activities, and (when none is executable) the main file's."""
    checked = {p.get("id") for d in documents for p in structure.executable_processes(d)}
    checked |= references.called_process_ids(documents)
    if main is not None and not structure.executable_processes(main):
        checked |= {p.get("id") for p in main.processes()}
    return checked


def _not_repeated(schema_problems: list[Problem], found: list[Problem]) -> list[Problem]:
    # A dangling reference is also an XSD IDREF error on the same line; our message says more.
    located = {(p.file, p.line) for p in found}
    return [p for p in schema_problems if (p.file, p.line) not in located]


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file or "", p.line or 0))
