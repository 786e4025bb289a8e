"""Camunda 7's reading of a BPMN file, written out so that the validator and the engine read the same model.

Camunda 7 accepts, and gives a meaning to, things that plain BPMN (and SpiffWorkflow) do not:

- ``activiti:`` and ``operaton:`` attributes and elements are its own ``camunda:`` ones (``flowable:``,
  Activiti's other fork with the same attributes, is read the same way here), and their form
  properties are form fields (`engine.pathways.form_properties`);
- ``messageRef="tns:x"`` names message ``x`` when ``tns`` is the file's target namespace;
- an ``errorRef`` naming no ``<error>`` is itself the error code, a ``messageRef`` naming no
  ``<message>`` the message's name;
- on an exclusive gateway, a flow without condition (not the default) counts as true, and the
  first flow in the file's order that holds is taken: the conditions are rewritten so that
  exactly that flow holds, whatever order the engine tries them in;
- a sequence flow without id gets one;
- the ids ``Start`` and ``End``, which SpiffWorkflow keeps for its own steps, get a ``_1``;
- two flows with the same source, target and condition are one flow too many: the second is
  dropped (Camunda would run the target twice after an activity);
- an activity or event with several outgoing flows starts them all at once, each conditioned
  flow only when its condition holds (an implicit split);
- on an inclusive gateway, a flow without condition is always taken;
- a process or sub-process without an end event ends when none of its paths has anything left
  to do (an implicit end): each step without an outgoing flow gets an end event after it;
- the parts of a DMN decision table (the table, its inputs, outputs, rules and entries) need no id;
- data objects and data stores are drawn, not run: the associations between them and the steps
  are dropped (the case data holds what the forms ask for);
- an activity's own data inputs and outputs (``bpmn:ioSpecification``, as jBPM/Kogito write them, with
  their associations to process properties) are not read: every step reads and writes the case's
  variables under their own names. SpiffWorkflow would stop the case at the step for a missing input.
  jBPM's inputs that say who does a task or when it is late (``GroupId``, ``NotStartedReassign``...) are
  kept, for the validator to refuse by name (`engine.pathways.rules.unsupported`).

`read_as_camunda` rewrites a parsed tree in place so that it says these things explicitly (a
`<error>` element, a gateway after the activity, a ``true`` condition), and returns a `Note` for
each rewrite an author should hear about. Inserted elements carry no line; their ids start with
the element they come from.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from engine.pathways.form_properties import form_properties_as_fields

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
# Namespaces Camunda 7 reads as its own (Operaton is its fork, Activiti its ancestor), and Flowable's, Activiti's
# other fork: read alike, its Java delegates are refused by name instead of the tasks looking empty.
CAMUNDA_ALIASES = ("http://operaton.org/schema/1.0/bpmn", "http://activiti.org/bpmn", "http://flowable.org/bpmn")

REFERENCE_ATTRIBUTES = {
    "messageEventDefinition": "messageRef", "signalEventDefinition": "signalRef",
    "errorEventDefinition": "errorRef", "escalationEventDefinition": "escalationRef",
    "receiveTask": "messageRef", "sendTask": "messageRef",
}
# Nodes SpiffWorkflow lets have one outgoing flow only; Camunda splits after them.
SPLITTING_NODES = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
    "receiveTask", "subProcess", "callActivity", "transaction", "adHocSubProcess",
    "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
}
ALWAYS = "${true}"
DRAWN_DATA = ("dataObject", "dataObjectReference", "dataStore", "dataStoreReference")


@dataclass(frozen=True)
class Note:
    """A rewrite an author should know about: where, under which rule, and what it means here."""

    element: etree._Element
    rule: str
    message: str
    warning: bool = True  # False: something Camunda runs that cannot be run here (an error)


def read_as_camunda(root: etree._Element) -> list[Note]:
    """Rewrite the tree in place as Camunda 7 reads it; the notes say what changed that matters."""
    _rename_aliases(root)
    if root.tag != f"{{{BPMN_NS}}}definitions":
        _name_decision_parts(root)
        return []
    form_properties_as_fields(root)
    _name_flows_without_id(root)
    notes = _rename_reserved_ids(root)
    notes += _resolve_prefixed_references(root)
    notes += _define_missing_errors(root)
    notes += _define_missing_messages(root)
    _drop_data_associations(root)
    notes += _drop_activity_data_io(root)
    for container in list(root.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in ("process", "subProcess", "transaction", "adHocSubProcess")))):
        notes += _drop_duplicate_flows(container)
        notes += _end_implicitly(container)
        notes += _first_true_flow_on_exclusive_gateways(container)
        notes += _split_implicitly(container)
        _always_take_unconditioned_inclusive_flows(container)
    return notes


# Parts of a DMN decision table that other tools (Trisotech, the DMN TCK) write without an id, which Camunda 7
# reads all the same; SpiffWorkflow indexes them by id and stopped with "KeyError('id')".
DECISION_PARTS = ("decisionTable", "input", "output", "rule", "inputEntry", "outputEntry")


def _name_decision_parts(root: etree._Element) -> None:
    dmn = etree.QName(root).namespace
    parts = [element for element in root.iter(*(f"{{{dmn}}}{kind}" for kind in DECISION_PARTS))
             if not (element.get("id") or "").strip()]
    if not parts:
        return
    taken = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    for element in parts:
        parent = element.getparent()
        owner = parent.get("id") if parent is not None and parent.get("id") else "decision"
        element.set("id", _fresh_id(f"{owner}_{etree.QName(element).localname}", taken))


def _rename_aliases(root: etree._Element) -> None:
    new = "{" + CAMUNDA_NS + "}"
    for old in ("{" + uri + "}" for uri in CAMUNDA_ALIASES):
        for element in root.iter():
            tag = element.tag
            if isinstance(tag, str) and tag.startswith(old):
                element.tag = new + tag[len(old):]
            renamed = [(key, value) for key, value in element.attrib.items() if key.startswith(old)]
            for key, value in renamed:
                del element.attrib[key]
                element.set(new + key[len(old):], value)


def _drop_data_associations(root: etree._Element) -> None:
    # SpiffWorkflow copies a data object to and from the task data, and stops the case when the task data lacks
    # it (as it always does: no form fills a data object); a task's own inputs and outputs are kept.
    drawn = {element.get("id") for element in root.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in DRAWN_DATA))}
    for kind, end in (("dataInputAssociation", "sourceRef"), ("dataOutputAssociation", "targetRef")):
        for association in list(root.iter(f"{{{BPMN_NS}}}{kind}")):
            if any((ref.text or "").strip() in drawn for ref in association.findall(f"{{{BPMN_NS}}}{end}")):
                association.getparent().remove(association)


ACTIVITIES = ("task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
              "receiveTask", "subProcess", "callActivity", "transaction", "adHocSubProcess")
# jBPM/Kogito's human-task inputs that change who does a task or when it is late, with what they change (as
# `engine.pathways.rules.unsupported` names it, which refuses them by name): never dropped here.
JBPM_TASK_INPUTS = {
    "GroupId": "assigns", "ActorId": "assigns", "NotStartedReassign": "deadlines", "NotCompletedReassign": "deadlines",
    "NotStartedNotify": "deadlines", "NotCompletedNotify": "deadlines",
}


def _drop_activity_data_io(root: etree._Element) -> list[Note]:
    notes = []
    for activity in list(root.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in ACTIVITIES))):
        io = activity.find(f"{{{BPMN_NS}}}ioSpecification")
        associations = [child for child in activity
                        if child.tag in (f"{{{BPMN_NS}}}dataInputAssociation", f"{{{BPMN_NS}}}dataOutputAssociation")]
        if io is None and not associations:
            continue
        ends = [] if io is None else [end for end in io if end.tag in (f"{{{BPMN_NS}}}dataInput", f"{{{BPMN_NS}}}dataOutput")]
        names = [(end.get("name") or end.get("id") or "").strip() for end in ends]
        # A multi-instance activity may iterate over one of its own inputs (loopDataInputRef): left as drawn.
        if any(name in JBPM_TASK_INPUTS for name in names) or activity.find(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics") is not None:
            continue
        for element in ([io] if io is not None else []) + associations:
            activity.remove(element)
        # bpmn-js names the end of an association it draws "__targetRef_placeholder": no data of the author's.
        shown = ", ".join(dict.fromkeys(name for name in names if name and not name.startswith("__"))) or "none named"
        notes.append(Note(activity, "unsupported.data_io",
                          f"the step's data inputs and outputs ({shown}) are not read here, as Camunda 7 does not read "
                          "them: every step reads and writes the case's variables under their own names; use the "
                          "variable names in the form fields and conditions, or input/output parameters (camunda:inputOutput)"))
    return notes


def _name_flows_without_id(root: etree._Element) -> None:
    # Camunda generates an id for a flow drawn without one; the engine needs one to connect it.
    taken = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        if not (flow.get("id") or "").strip():
            flow.set("id", _fresh_id(f"Flow_{flow.get('sourceRef') or 'x'}_{flow.get('targetRef') or 'x'}", taken))


RESERVED_IDS = ("Start", "End")
_ID_REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "default", "bpmnElement")
_ID_TEXTS = ("incoming", "outgoing", "flowNodeRef")


def _rename_reserved_ids(root: etree._Element) -> list[Note]:
    present = {element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    renames = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id") in RESERVED_IDS and etree.QName(element).namespace == BPMN_NS:
            if etree.QName(element).localname in ("definitions", "process"):
                continue
            old = element.get("id")
            renames[old] = _fresh_id(f"{old}_1", present)
            element.set("id", renames[old])
    if not renames:
        return []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in _ID_REFERENCES:
            if element.get(attribute) in renames:
                element.set(attribute, renames[element.get(attribute)])
        if etree.QName(element).localname in _ID_TEXTS and (element.text or "").strip() in renames:
            element.text = renames[element.text.strip()]
    notes = []
    for old, new in renames.items():
        element = next(e for e in root.iter() if isinstance(e.tag, str) and e.get("id") == new)
        notes.append(Note(element, "id.reserved", f"the id {old!r} is reserved by the engine for its own step; this element runs as {new!r} (rename it in the modeler to keep the names alike)"))
    return notes


def _resolve_prefixed_references(root: etree._Element) -> list[Note]:
    target = root.get("targetNamespace")
    for element in root.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in REFERENCE_ATTRIBUTES)):
        attribute = REFERENCE_ATTRIBUTES[etree.QName(element).localname]
        value = element.get(attribute) or ""
        prefix, colon, name = value.partition(":")
        if colon and name and target and element.nsmap.get(prefix) == target:
            element.set(attribute, name)
    return []


def _define_missing_errors(root: etree._Element) -> list[Note]:
    defined = {child.get("id") for child in root if child.tag == f"{{{BPMN_NS}}}error"}
    notes = []
    for definition in root.iter(f"{{{BPMN_NS}}}errorEventDefinition"):
        reference = (definition.get("errorRef") or "").strip()
        if not reference or reference in defined or not _is_id(reference):
            continue
        error = etree.Element(f"{{{BPMN_NS}}}error", id=reference, name=reference, errorCode=reference)
        _insert_root_element(root, error)
        defined.add(reference)
        owner = definition.getparent() if definition.getparent() is not None else definition
        notes.append(Note(owner, "event.error_code_from_ref", f"errorRef {reference!r} names no <error>; as in Camunda 7, {reference!r} is the error code"))
    return notes


def _define_missing_messages(root: etree._Element) -> list[Note]:
    defined = {child.get("id") for child in root if child.tag == f"{{{BPMN_NS}}}message"}
    notes = []
    for element in root.iter(f"{{{BPMN_NS}}}messageEventDefinition", f"{{{BPMN_NS}}}receiveTask", f"{{{BPMN_NS}}}sendTask"):
        reference = (element.get("messageRef") or "").strip()
        if not reference or reference in defined or not _is_id(reference):
            continue
        _insert_root_element(root, etree.Element(f"{{{BPMN_NS}}}message", id=reference, name=reference))
        defined.add(reference)
        owner = element.getparent() if element.tag.endswith("EventDefinition") and element.getparent() is not None else element
        notes.append(Note(owner, "event.message_from_ref", f"messageRef {reference!r} names no <message>; as in Camunda 7, {reference!r} is the message's name"))
    return notes


def _drop_duplicate_flows(container: etree._Element) -> list[Note]:
    seen: dict[tuple, etree._Element] = {}
    notes = []
    for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if not source or not target:
            continue
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        key = (source, target, None if condition is None else "".join(condition.itertext()).strip())
        first = seen.get(key)
        if first is None:
            seen[key] = flow
            continue
        notes.append(Note(flow, "flow.duplicate",
                          f"this flow repeats {first.get('id')} (line {first.sourceline}): same source, target and condition; "
                          "it is ignored here (after an activity Camunda 7 would run the next step twice); delete one of them"))
        _remove_flow(container, flow)
    return notes


def _remove_flow(container: etree._Element, flow: etree._Element) -> None:
    flow_id = flow.get("id")
    container.remove(flow)
    if not flow_id:
        return
    for node in container:
        for marker in node.findall(f"{{{BPMN_NS}}}incoming") + node.findall(f"{{{BPMN_NS}}}outgoing"):
            if (marker.text or "").strip() == flow_id:
                node.remove(marker)


def _first_true_flow_on_exclusive_gateways(container: etree._Element) -> list[Note]:
    gateways = {g.get("id"): g for g in container.findall(f"{{{BPMN_NS}}}exclusiveGateway") if g.get("id")}
    leaving: dict[str, list[etree._Element]] = {}
    for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow.get("sourceRef") in gateways:
            leaving.setdefault(flow.get("sourceRef"), []).append(flow)
    notes = []
    for gateway_id, flows in leaving.items():
        default = gateways[gateway_id].get("default")
        branches = [flow for flow in flows if not (default and flow.get("id") == default)]
        bare = [flow for flow in branches if flow.find(f"{{{BPMN_NS}}}conditionExpression") is None]
        if len(flows) < 2 or not bare:
            continue
        rewritten = _exclusive_conditions(branches)
        if rewritten is None:
            continue  # a condition that cannot be read is reported by the expression rules
        for flow, text in zip(branches, rewritten):
            condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
            if condition is None:
                condition = etree.SubElement(flow, f"{{{BPMN_NS}}}conditionExpression")
            for child in list(condition):
                condition.remove(child)
            condition.text = text
        name = gateways[gateway_id].get("name") or gateway_id
        for flow in bare:
            notes.append(Note(flow, "gateway.unconditional_branch",
                              f"this branch of gateway '{name}' has no condition and is not the default; as in Camunda 7 it counts as "
                              "always true: it is taken unless a branch before it in the file holds, and the branches after it never are; "
                              "add a condition (e.g. decision == 'accepted') or mark it as the default flow"))
    return notes


def _exclusive_conditions(flows: list[etree._Element]) -> list[str] | None:
    from engine.expressions.evaluation import check_expression, python_form  # the safe language's reading of JUEL

    earlier: list[str] = []
    rewritten = []
    for flow in flows:
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        text = "" if condition is None else "".join(condition.itertext()).strip()
        try:
            if text:
                check_expression(text)
            own = f"({python_form(text)})" if text else "True"
        except Exception:  # noqa: BLE001 - any unreadable condition: leave the gateway as drawn
            return None
        rewritten.append(own if not earlier else f"{own} and not ({' or '.join(earlier)})")
        earlier.append(own)
    return rewritten


def _is_id(text: str) -> bool:
    return text.replace("_", "a").replace("-", "a").replace(".", "a").isalnum() and not text[0].isdigit()


def _insert_root_element(root: etree._Element, element: etree._Element) -> None:
    # Root elements (error, message...) come before processes in the schema's order.
    first_process = root.find(f"{{{BPMN_NS}}}process")
    if first_process is not None:
        first_process.addprevious(element)
    else:
        root.append(element)


def _end_implicitly(container: etree._Element) -> list[Note]:
    kind = etree.QName(container).localname
    nodes = [child for child in container if child.get("id") and etree.QName(child).namespace == BPMN_NS
             and etree.QName(child).localname in SPLITTING_NODES | {"startEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}]
    if kind == "adHocSubProcess" or not nodes or container.find(f"{{{BPMN_NS}}}endEvent") is not None:
        return []
    flows = container.findall(f"{{{BPMN_NS}}}sequenceFlow")
    sources = {flow.get("sourceRef") for flow in flows}
    taken = {child.get("id") for child in container.iter() if child.get("id")} | {e.get("id") for e in container.getroottree().getroot().iter() if e.get("id")}
    for node in nodes:
        if node.get("id") in sources or node.get("isForCompensation") == "true":
            continue
        end_id = _fresh_id(f"{node.get('id')}_end", taken)
        flow_id = _fresh_id(f"{node.get('id')}_to_end", taken)
        end = etree.SubElement(container, f"{{{BPMN_NS}}}endEvent", id=end_id)
        etree.SubElement(end, f"{{{BPMN_NS}}}incoming").text = flow_id
        etree.SubElement(container, f"{{{BPMN_NS}}}sequenceFlow", id=flow_id, sourceRef=node.get("id"), targetRef=end_id)
        if node.find(f"{{{BPMN_NS}}}incoming") is not None or node.find(f"{{{BPMN_NS}}}outgoing") is not None:
            etree.SubElement(node, f"{{{BPMN_NS}}}outgoing").text = flow_id
            _order_outgoing(node)
    what = "process" if kind == "process" else "sub-process"
    if container.get("triggeredByEvent") == "true":
        return []
    return [Note(container, "process.no_end",
                 f"the {what} has no end event; as in Camunda 7, it ends when none of its paths has anything left to do; "
                 "add an end event where each path finishes to make that visible")]


def _split_implicitly(container: etree._Element) -> list[Note]:
    flows = container.findall(f"{{{BPMN_NS}}}sequenceFlow")
    nodes = {child.get("id"): child for child in container if child.get("id") and etree.QName(child).namespace == BPMN_NS}
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in flows:
        if flow.get("targetRef") in nodes:
            outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
    taken = set(nodes) | {flow.get("id") for flow in flows}
    notes = []
    for source, leaving in outgoing.items():
        node = nodes.get(source)
        if node is None or len(leaving) < 2 or etree.QName(node).localname not in SPLITTING_NODES:
            continue
        conditioned = [flow for flow in leaving if flow.find(f"{{{BPMN_NS}}}conditionExpression") is not None]
        kind = "inclusiveGateway" if conditioned else "parallelGateway"
        gateway_id = _fresh_id(f"{source}_split", taken)
        flow_id = _fresh_id(f"{source}_to_split", taken)
        gateway = etree.Element(f"{{{BPMN_NS}}}{kind}", id=gateway_id)
        # An activity's default flow (taken when none of its conditions holds) is the split's default now.
        default = node.attrib.pop("default", None)
        if default is not None and default in {flow.get("id") for flow in leaving}:
            gateway.set("default", default)
        node.addnext(gateway)
        link = etree.Element(f"{{{BPMN_NS}}}sequenceFlow", id=flow_id, sourceRef=source, targetRef=gateway_id)
        leaving[0].addprevious(link)
        for flow in leaving:
            flow.set("sourceRef", gateway_id)
        _reconnect_outgoing_markers(node, gateway, [flow.get("id") for flow in leaving], flow_id)
        targets = ", ".join(flow.get("targetRef") or "?" for flow in leaving)
        if conditioned and gateway.get("default") is not None:
            what = (f"takes at once every flow whose condition holds ({len(conditioned)} of {len(leaving)} have one), "
                    "else its default flow")
        elif conditioned:
            what = f"takes at once every flow whose condition holds ({len(conditioned)} of {len(leaving)} have one"
            what += "; the case stops with an error if none holds)" if len(conditioned) == len(leaving) else ", the others always)"
        else:
            what = "takes all of them at once"
        notes.append(Note(node, "task.several_outgoing",
                          f"the {_kind_word(node)} has {len(leaving)} outgoing flows (to {targets}); as in Camunda 7 it {what}; "
                          "draw a gateway after it to make the choice or the split visible"))
    return notes


def _reconnect_outgoing_markers(node, gateway, flow_ids: list[str], link_id: str) -> None:
    # bpmn:outgoing children are optional, but Spiff and the schema check read them when present.
    for marker in node.findall(f"{{{BPMN_NS}}}outgoing"):
        if (marker.text or "").strip() in flow_ids:
            node.remove(marker)
    etree.SubElement(node, f"{{{BPMN_NS}}}outgoing").text = link_id
    _order_outgoing(node)
    etree.SubElement(gateway, f"{{{BPMN_NS}}}incoming").text = link_id
    for flow_id in flow_ids:
        etree.SubElement(gateway, f"{{{BPMN_NS}}}outgoing").text = flow_id


def _order_outgoing(node) -> None:
    # The schema wants incoming and outgoing markers right after documentation/extensions, before the rest.
    markers = [child for child in node if child.tag in (f"{{{BPMN_NS}}}incoming", f"{{{BPMN_NS}}}outgoing")]
    if not markers:
        return
    for marker in markers:
        node.remove(marker)
    position = 0
    for index, child in enumerate(node):
        if child.tag in (f"{{{BPMN_NS}}}documentation", f"{{{BPMN_NS}}}extensionElements", f"{{{BPMN_NS}}}auditing", f"{{{BPMN_NS}}}monitoring", f"{{{BPMN_NS}}}categoryValueRef"):
            position = index + 1
    for offset, marker in enumerate(sorted(markers, key=lambda m: m.tag.endswith("outgoing"))):
        node.insert(position + offset, marker)


def _kind_word(node) -> str:
    return "event" if etree.QName(node).localname.endswith("Event") else "activity"


def _fresh_id(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}_{number}"
    taken.add(candidate)
    return candidate


def _always_take_unconditioned_inclusive_flows(container: etree._Element) -> None:
    gateways = {g.get("id"): g for g in container.findall(f"{{{BPMN_NS}}}inclusiveGateway") if g.get("id")}
    if not gateways:
        return
    leaving: dict[str, list[etree._Element]] = {}
    for flow in container.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        if flow.get("sourceRef") in gateways:
            leaving.setdefault(flow.get("sourceRef"), []).append(flow)
    for gateway_id, flows in leaving.items():
        default = gateways[gateway_id].get("default")
        if len(flows) < 2:
            continue
        for flow in flows:
            if flow.find(f"{{{BPMN_NS}}}conditionExpression") is None and (default is None or flow.get("id") != default):
                condition = etree.SubElement(flow, f"{{{BPMN_NS}}}conditionExpression")
                condition.text = ALWAYS
