"""Messages a case waits for. Camunda 7 lets another system deliver a message to a waiting case (its REST API
correlates it); here nothing outside the pathway can, so a step that waits for a message no step of the pathway
sends waits for ever (the validator warns; `aiguillage pathway explore` shows the case stuck there): a reply from another organisation's pool is recorded by a person, in a user task."""

from __future__ import annotations

from engine.pathways.documents import BPMN_NS, Document, is_bpmn, local
from engine.pathways.problems import Problem

THROWING = ("intermediateThrowEvent", "endEvent")
CATCHING = ("intermediateCatchEvent", "boundaryEvent", "receiveTask")


def check_messages(documents: list[Document], checked: set[str]) -> list[Problem]:
    """A step waiting for a message that no step of the pathway sends, as a warning: Camunda 7 runs it."""
    bpmn = [d for d in documents if d.kind == "bpmn"]
    names = {child.get("id"): (child.get("name") or child.get("id")) for d in bpmn for child in d.root
             if local(child) == "message" and child.get("id")}
    sent, waiting = set(), []
    for document in bpmn:
        for process in document.processes():
            if process.get("id") not in checked:
                continue
            for element in process.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in THROWING + CATCHING + ("sendTask",))):
                message = _message_of(element, names)
                if message is None:
                    continue
                if local(element) in CATCHING:
                    waiting.append((document, element, message))
                else:
                    sent.add(message)
    return [_waits(document, element, message) for document, element, message in waiting if message not in sent]


def _message_of(element, names: dict[str, str]) -> str | None:
    if local(element) in ("receiveTask", "sendTask"):
        reference = element.get("messageRef")
    else:
        definition = element.find(f"{{{BPMN_NS}}}messageEventDefinition")
        reference = definition.get("messageRef") if definition is not None else None
    if reference is None:
        return None
    reference = reference.strip()
    return names.get(reference, names.get(reference.split(":", 1)[-1], reference))


def _waits(document: Document, element, message: str) -> Problem:
    if is_bpmn(element, "boundaryEvent"):
        return document.problem(element, "event.message_never_sent", (
            f"the boundary event waits for message {message!r}, which no step of this pathway sends, so it never fires; "
            "nothing outside the pathway can deliver a message to a case here, as Camunda 7's REST API does; draw a user "
            "task where a person records the answer, or send the message from a step of the pathway")).as_warning()
    what = "receive task" if is_bpmn(element, "receiveTask") else "event"
    return document.problem(element, "event.message_never_sent", (
        f"the {what} waits for message {message!r}, which no step of this pathway sends: a case would wait here for "
        "ever; nothing outside the pathway can deliver a message to a case here, as Camunda 7's REST API does; draw a "
        "user task where a person records the answer, or send the message from a step of the pathway")).as_warning()
