"""References between files: call activities to processes, business rule tasks to DMN decisions."""

from __future__ import annotations

from engine.pathways.documents import BPMN_NS, Document, extension, is_bpmn, local
from engine.pathways.problems import Problem
from engine.pathways.rules.unsupported import camunda8_settings, foreign_settings


# Event definitions name a root element of the definitions: a message, signal, error or escalation.
EVENT_REFERENCES = {
    "messageEventDefinition": ("messageRef", "message"),
    "signalEventDefinition": ("signalRef", "signal"),
    "errorEventDefinition": ("errorRef", "error"),
    "escalationEventDefinition": ("escalationRef", "escalation"),
}


def called_process_ids(documents: list[Document]) -> set[str]:
    """Ids named by call activities anywhere in the pathway."""
    return {
        element.get("calledElement").strip()
        for document in documents if document.kind == "bpmn"
        for element in document.root.iter(f"{{{BPMN_NS}}}callActivity")
        if (element.get("calledElement") or "").strip()
    }


def decision_ids(documents: list[Document]) -> dict[str, Document]:
    """Every DMN decision id of the pathway, with the file that holds it."""
    found: dict[str, Document] = {}
    for document in documents:
        if document.kind == "dmn":
            for decision in document.root:
                if local(decision) == "decision" and decision.get("id"):
                    found.setdefault(decision.get("id"), document)
    return found


def check_references(documents: list[Document], checked: set[str]) -> list[Problem]:
    """Call activities and business rule tasks must point at something in the folder."""
    bpmn = [d for d in documents if d.kind == "bpmn"]
    problems = _duplicate_processes(bpmn) + _duplicate_decisions(documents)
    processes = {
        p.get("id"): (p.get("isExecutable") or "").strip().lower() == "true"
        for d in bpmn for p in d.processes() if p.get("id")
    }
    decisions = decision_ids(documents)
    roots = {
        kind: {child.get("id") for d in bpmn for child in d.root if local(child) == kind and child.get("id")}
        for _, kind in EVENT_REFERENCES.values()
    }
    signal_names = {child.get("id"): (child.get("name") or "").strip() for d in bpmn for child in d.root if local(child) == "signal"}
    problems += [
        d.problem(child, "event.signal_unnamed", f"the signal {child.get('name') or ''!r} has no id, so no event can refer to "
                  "it; give it an id in the modeler, or delete it")
        for d in bpmn for child in d.root if local(child) == "signal" and not (child.get("id") or "").strip()
    ]
    for document in bpmn:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            for element in process.iter():
                if is_bpmn(element, "callActivity"):
                    problems += _check_call(document, element, processes)
                elif is_bpmn(element, "businessRuleTask"):
                    problems += _check_decision(document, element, decisions)
                elif is_bpmn(element, *EVENT_REFERENCES):
                    problems += _check_event_reference(document, element, roots)
                    if is_bpmn(element, "signalEventDefinition"):
                        problems += _check_signal(document, element, signal_names)
    return problems


def _check_signal(document: Document, definition, names: dict[str, str]) -> list[Problem]:
    """A signal is caught and thrown by its name: one without a name, or an event without a signal, cannot meet
    any other (Camunda 7 refuses both when deploying)."""
    owner = definition.getparent() if definition.getparent() is not None else definition
    reference = (definition.get("signalRef") or "").strip()
    if not reference:
        return [document.problem(owner, "event.signal_unnamed", "the signal event names no signal; choose or create the signal "
                                 "in the modeler (Signal: Global signal reference)")]
    if names.get(reference) == "":
        return [document.problem(owner, "event.signal_unnamed", f"the signal {reference!r} has no name, and events meet by "
                                 "the signal's name; give the signal a name in the modeler")]
    return []


def _check_event_reference(document: Document, definition, roots: dict[str, set[str]]) -> list[Problem]:
    attribute, kind = EVENT_REFERENCES[local(definition)]
    reference = definition.get(attribute)
    if reference is None or reference in roots[kind]:
        return []
    owner = definition.getparent() if definition.getparent() is not None else definition
    unprefixed = reference.split(":", 1)[-1]
    if unprefixed in roots[kind]:
        advice = f"write {attribute}=\"{unprefixed}\" without the prefix"
    else:
        known = ", ".join(sorted(roots[kind])[:6]) or "none"
        advice = f"define the {kind} in the diagram or pick an existing one ({kind}s found: {known})"
    return [document.problem(owner, "event.bad_reference", f"the event refers to {kind} {reference!r}, which the pathway does not define; {advice}")]


def _check_call(document: Document, element, processes: dict[str, bool]) -> list[Problem]:
    called = (element.get("calledElement") or "").strip()
    if not called and (extension(element, "caseRef") is not None or camunda8_settings(element)):
        return []  # a CMMN case or a Camunda 8 call, refused by name in engine.pathways.rules.unsupported
    if not called:
        return [document.problem(element, "call.missing", "the call activity does not say which process it calls; set 'Called element' to the id of a process in this folder")]
    if called.startswith(("${", "#{")) and called.endswith("}"):
        return _check_chosen_call(document, element, called, processes)
    if called not in processes:
        known = ", ".join(sorted(processes)[:8]) or "none"
        return [document.problem(element, "call.missing", f"the call activity calls process {called}, which is in no file of the pathway (processes found: {known}); add the .bpmn file or fix the id")]
    if not processes[called]:
        return [document.problem(element, "call.not_executable", f"the call activity calls process {called}, which is not executable; set isExecutable=\"true\" on it (the 'Executable' box in Camunda Modeler)")]
    return []


def _check_chosen_call(document: Document, element, called: str, processes: dict[str, bool]) -> list[Problem]:
    from engine.errors import ExpressionError
    from engine.expressions import check_expression

    try:
        check_expression(called)
    except ExpressionError as error:
        return [document.problem(element, "expression.invalid", f"calledElement {called[:60]!r}: {error.message}")]
    known = ", ".join(sorted(p for p, executable in processes.items() if executable)[:8]) or "none"
    return [document.problem(element, "call.chosen_at_run_time",
                             f"the called process is chosen when the step is reached, by {called[:60]}; as in Camunda 7 it must then name "
                             f"a process, here one of this pathway's executable processes ({known}), or the case stops with an error").as_warning()]


def _check_decision(document: Document, element, decisions: dict[str, Document]) -> list[Problem]:
    reference = (extension(element, "decisionRef") or "").strip()
    if not reference and (camunda8_settings(element) or foreign_settings(element)):
        return []  # another engine's decision, refused by name in engine.pathways.rules.unsupported
    if not reference:
        return [document.problem(element, "dmn.missing", "the business rule task names no decision; set its 'Decision reference' (camunda:decisionRef) to the id of a decision in a .dmn file of the folder")]
    if reference not in decisions:
        known = ", ".join(sorted(decisions)[:8]) or "none"
        return [document.problem(element, "dmn.missing", f"the business rule task refers to decision {reference}, which is in no .dmn file of the pathway (decisions found: {known}); add the DMN file or fix the id")]
    return []


def _duplicate_processes(documents: list[Document]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for document in documents:
        for process in document.processes():
            process_id = process.get("id")
            if not process_id:
                continue
            if process_id in seen and seen[process_id] != document.file:
                problems.append(document.problem(process, "process.duplicate_id", f"process id {process_id} is also used in {seen[process_id]}; every process of a pathway needs its own id"))
            seen.setdefault(process_id, document.file)
    return problems


def _duplicate_decisions(documents: list[Document]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for document in documents:
        if document.kind != "dmn":
            continue
        for decision in document.root:
            decision_id = decision.get("id") if local(decision) == "decision" else None
            if decision_id and decision_id in seen and seen[decision_id] != document.file:
                problems.append(document.problem(decision, "dmn.duplicate_id", f"decision id {decision_id} is also used in {seen[decision_id]}; give each decision its own id"))
            if decision_id:
                seen.setdefault(decision_id, document.file)
    return problems
