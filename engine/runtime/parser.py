"""The BPMN/DMN parser: SpiffWorkflow's Camunda parser, taught what Camunda Modeler users write.

`PathwayParser` adds to `CamundaParser`:

- user tasks: ``camunda:candidateGroups``, ``candidateUsers``, ``assignee``, ``dueDate``,
  ``followUpDate``, ``priority`` and ``formKey`` go into ``task_spec.extensions`` next to the
  Camunda form Spiff already reads;
- every task, event and gateway: its own ``camunda:properties`` in
  ``task_spec.extensions["properties"]`` (only the element's own, not those of nested elements);
- the lane's id in ``task_spec.extensions["laneId"]`` (Spiff keeps only the lane's name);
- timer events built with the clock-aware definitions of `engine.runtime.timers`;
- service tasks that call an operation registered in code (`engine.runtime.operations`);
- decision tables whose input cells may be FEEL unary tests (`engine.runtime.dmn`).

Extension keys (all optional): ``properties`` (dict of str), ``candidateGroups`` and
``candidateUsers`` (lists of str), ``assignee``, ``dueDate``, ``followUpDate``, ``priority``,
``formKey`` (raw text, expressions left as written), ``laneId``; on a boundary timer drawn as an
escalation without a declared level, ``escalationOpens`` (the ids of the tasks it leads to) and the
level it was given in ``properties``.

The ``operaton:`` and ``activiti:`` namespaces are read exactly as ``camunda:``, and the file as
Camunda 7 reads it (`engine.pathways.dialect`): `add_bpmn_xml` and `add_dmn_xml` do it.
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    BusinessRuleTaskParser,
    CallActivityParser,
    CamundaTaskParser,
    ScriptTaskParser,
    SubWorkflowParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.camunda.specs.user_task import EnumFormField, UserTask
from SpiffWorkflow.bpmn.specs.defaults import (
    CallActivity,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateThrowEvent,
    ManualTask,
    NoneTask,
    ParallelGateway,
    ScriptTask,
    TransactionSubprocess,
)
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser, GatewayParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaEndEventParser,
    CamundaIntermediateThrowEventParser,
)

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.pathways.dialect import read_as_camunda as camunda_dialect
from engine.pathways.groups import GroupRules
from engine.pathways.escalation_paths import (
    ESCALATION_OPENS, ESCALATION_PROPERTY, drawn_escalation, is_timer, opened_escalation_levels,
)
from engine.runtime.dmn import FeelDecisionEngine
from engine.runtime.operations import OperationTask
from engine.runtime.timers import CLOCK_TIMERS

OPERATON_NS = "http://operaton.org/schema/1.0/bpmn"
CAMUNDA_NS = CAMUNDA_MODEL_NS

# Attributes of camunda:userTask kept as text; lists are split below.
_USER_TASK_TEXT_ATTRIBUTES = ("assignee", "dueDate", "followUpDate", "priority", "formKey")
_USER_TASK_LIST_ATTRIBUTES = ("candidateGroups", "candidateUsers")


def read_as_camunda(root: etree._Element) -> etree._Element:
    """Rewrite the tree in place as Camunda 7 reads it (operaton:/activiti: as camunda:, implicit splits...)."""
    camunda_dialect(root)
    return root


def split_names(text: str | None) -> list[str]:
    """`a, b ,c` -> ['a', 'b', 'c'] (Camunda's comma-separated groups and users)."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


class ExtensionsMixin:
    """Reads the element's own camunda:properties and its lane id into `extensions`."""

    def parse_extensions(self, node=None):
        node = node if node is not None else self.node
        properties = {}
        for prop in self._xpath(node, "./bpmn:extensionElements/camunda:properties/camunda:property"):
            name = prop.get("name")
            if name:
                properties[name] = prop.get("value")
        extensions = {}
        if properties:
            extensions["properties"] = properties
        lane_id = self._lane_id()
        if lane_id is not None:
            extensions["laneId"] = lane_id
        return extensions

    def _add_multiinstance_task(self, loop_characteristics):
        # Spiff's Camunda multi-instance crashes at run time over a collection without a variable.
        collection = self.attribute("collection", "camunda", loop_characteristics)
        if collection is not None and not self.attribute("elementVariable", "camunda", loop_characteristics):
            self.raise_validation_exception(
                "a multi-instance over camunda:collection needs camunda:elementVariable "
                "(the name under which each instance sees its item)"
            )
        super()._add_multiinstance_task(loop_characteristics)

    def _lane_id(self):
        bpmn_id = self.node.get("id")
        if not bpmn_id:
            return None
        refs = self.node.getroottree().getroot().xpath(
            ".//bpmn:lane/bpmn:flowNodeRef[normalize-space(text())=$id]", namespaces=self.nsmap, id=bpmn_id
        )
        return refs[0].getparent().get("id") if refs else None


class PathwayTaskParser(ExtensionsMixin, CamundaTaskParser):
    """Plain, manual tasks: camunda:properties and lane id."""


class PathwayUserTaskParser(ExtensionsMixin, UserTaskParser):
    """User tasks: who, when and how urgent, on top of the Camunda form."""

    def get_form(self):
        # SpiffWorkflow reads options only for `enum`; a field of several options (enum_list) has them too.
        form = super().get_form()
        elements = {element.get("id"): element for element in self.xpath(".//camunda:formData/camunda:formField")}
        for index, field in enumerate(form.fields):
            element = elements.get(field.id)
            if field.type == "enum_list" and element is not None and not isinstance(field, EnumFormField):
                options = EnumFormField()
                options.__dict__.update(field.__dict__)
                for child in element:
                    if child.tag == f"{{{CAMUNDA_NS}}}value":
                        options.add_option(child.get("id"), child.get("name"))
                form.fields[index] = options
        return form

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        for name in _USER_TASK_TEXT_ATTRIBUTES:
            value = self.attribute(name, "camunda")
            if value is not None and value.strip():
                extensions[name] = value.strip()
        for name in _USER_TASK_LIST_ATTRIBUTES:
            names = split_names(self.attribute(name, "camunda"))
            if names:
                extensions[name] = names
        properties = extensions.get("properties") or {}
        if not (properties.get(ESCALATION_PROPERTY) or "").strip() and self.node.getparent() is not None:
            # A task an escalation timer opens is that escalation's task, marked or not (as the validator checks
            # it): its answer acknowledges or resolves the escalation, and its page says so.
            level = opened_escalation_levels(self.node.getparent(), self.process_parser.parser.group_rules).get(self.bpmn_id)
            if level is not None:
                extensions["properties"] = {**properties, ESCALATION_PROPERTY: str(level)}
        return extensions


class PathwayScriptTaskParser(ExtensionsMixin, ScriptTaskParser):
    """Script tasks, with their properties."""


class PathwayBusinessRuleTaskParser(ExtensionsMixin, BusinessRuleTaskParser):
    """Business rule (DMN) tasks, with their properties."""


class PathwaySubWorkflowParser(ExtensionsMixin, SubWorkflowParser):
    """Embedded sub-processes and transactions."""


class ChosenCallActivity(CallActivity):
    """A call activity whose calledElement is an expression (${...}): the process is chosen when it is reached."""

    def start_workflow(self, my_task):
        top = my_task.workflow.top_workflow
        try:
            name = my_task.workflow.script_engine.evaluate(my_task, self.spec)
        except WorkflowTaskException:
            my_task.error()
            raise
        if not isinstance(name, str) or name not in top.subprocess_specs:
            my_task.error()
            known = ", ".join(sorted(k for k in top.subprocess_specs if not is_expression(k))) or "none"
            raise WorkflowTaskException(
                f"the call activity's calledElement {self.spec} gave {name!r}, which is not a process of this pathway "
                f"(processes: {known})", task=my_task)
        subworkflow = top.create_subprocess(my_task, name)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        subworkflow.get_next_task(spec_name="Start").run()


def is_expression(text: str | None) -> bool:
    """True for a JUEL-style expression such as ${kind} (Camunda evaluates them where it expects a name)."""
    text = (text or "").strip()
    return text.startswith(("${", "#{")) and text.endswith("}")


class PathwayCallActivityParser(ExtensionsMixin, CallActivityParser):
    """Call activities (another process, possibly in another file of the pathway, or chosen by an expression)."""

    def create_task(self):
        called = self.node.get("calledElement")
        if is_expression(called):
            return ChosenCallActivity(self.spec, self.bpmn_id, subworkflow_spec=called.strip(), **self.bpmn_attributes)
        return super().create_task()


class PathwayServiceTaskParser(ExtensionsMixin, CamundaTaskParser):
    """Service tasks: the operation is `camunda:topic` (external task) or the property
    `aiguillage.operation`; parameters are `camunda:inputParameter` expressions; the result goes to
    `camunda:resultVariable` (default: `<task id>_result`)."""

    def create_task(self):
        properties = self._own_properties()
        operation = self.attribute("topic", "camunda") or properties.get("aiguillage.operation")
        if not operation:
            self.raise_validation_exception(
                "A service task must name its operation with camunda:topic or the property aiguillage.operation"
            )
        parameters = {}
        for param in self.xpath("./bpmn:extensionElements/camunda:inputOutput/camunda:inputParameter"):
            if param.get("name"):
                parameters[param.get("name")] = (param.text or "").strip()
        result_variable = self.attribute("resultVariable", "camunda") or f"{self.bpmn_id}_result"
        return OperationTask(
            self.spec,
            self.bpmn_id,
            operation_name=operation.strip(),
            operation_params=parameters,
            result_variable=result_variable,
            **self.bpmn_attributes,
        )

    def _own_properties(self):
        return {
            prop.get("name"): prop.get("value")
            for prop in self.xpath("./bpmn:extensionElements/camunda:properties/camunda:property")
        }


class ClockTimerMixin(ExtensionsMixin):
    """Builds timer events with our clock-aware definitions; the text is kept as written."""

    def parse_timer_event(self, event):
        definition = super().parse_timer_event(event)
        clock_class = CLOCK_TIMERS[type(definition)]
        return clock_class(definition.name, definition.expression, description=definition.description)


class PathwayStartEventParser(ClockTimerMixin, CamundaStartEventParser):
    """Start events."""


class PathwayIntermediateCatchEventParser(ClockTimerMixin, CamundaIntermediateCatchEventParser):
    """Intermediate catch events (timers waiting in the flow)."""


class PathwayBoundaryEventParser(ClockTimerMixin, CamundaBoundaryEventParser):
    """Boundary events (reminders and escalations on a task)."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        node = node if node is not None else self.node
        if not is_timer(node):
            return extensions
        drawn = drawn_escalation(node, self.process_parser.parser.group_rules)
        if drawn.level is not None and not drawn.declared:
            # Drawn as an escalation (its path leads to other people's task): the same as a declared level,
            # and it alerts the people of the tasks it opens (`engine.pathways.escalation_paths`).
            extensions["properties"] = {**extensions.get("properties", {}), ESCALATION_PROPERTY: str(drawn.level)}
            extensions[ESCALATION_OPENS] = [task.get("id") for task in drawn.opens]
        return extensions


class PathwayEndEventParser(ExtensionsMixin, CamundaEndEventParser):
    """End events."""


class PathwayIntermediateThrowEventParser(ExtensionsMixin, CamundaIntermediateThrowEventParser):
    """Intermediate throw events."""


class PathwayGatewayParser(ExtensionsMixin, GatewayParser):
    """Parallel gateways."""


class PathwayConditionalGatewayParser(ExtensionsMixin, ConditionalGatewayParser):
    """Exclusive and inclusive gateways."""


class PathwayParser(CamundaParser):
    """Camunda parser with assignment attributes, properties everywhere and clock-aware timers.

    `group_rules`: the pathway's `groups:` (pathway.yaml), which decide, as the validator reads them, whether a
    timer leads to other people's work and so stands for an escalation.
    """

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (PathwayUserTaskParser, UserTask),
        full_tag("task"): (PathwayTaskParser, NoneTask),
        full_tag("manualTask"): (PathwayTaskParser, ManualTask),
        full_tag("scriptTask"): (PathwayScriptTaskParser, ScriptTask),
        full_tag("serviceTask"): (PathwayServiceTaskParser, OperationTask),
        full_tag("businessRuleTask"): (PathwayBusinessRuleTaskParser, BusinessRuleTask),
        full_tag("subProcess"): (PathwaySubWorkflowParser, CallActivity),
        full_tag("callActivity"): (PathwayCallActivityParser, CallActivity),
        full_tag("transaction"): (PathwaySubWorkflowParser, TransactionSubprocess),
        full_tag("startEvent"): (PathwayStartEventParser, StartEvent),
        full_tag("endEvent"): (PathwayEndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (PathwayIntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (PathwayIntermediateThrowEventParser, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (PathwayBoundaryEventParser, BoundaryEvent),
        full_tag("exclusiveGateway"): (PathwayConditionalGatewayParser, ExclusiveGateway),
        full_tag("inclusiveGateway"): (PathwayConditionalGatewayParser, InclusiveGateway),
        full_tag("parallelGateway"): (PathwayGatewayParser, ParallelGateway),
    }

    def __init__(self, group_rules: GroupRules | None = None):
        super().__init__()
        self.group_rules = group_rules or GroupRules()

    def get_engine(self, decision_ref, node):
        """The decision engine for a business rule task, reading FEEL unary tests."""
        return FeelDecisionEngine(super().get_engine(decision_ref, node).decision_table)

    def add_bpmn_xml(self, bpmn, filename=None):
        """Add a BPMN tree, reading operaton: as camunda:."""
        root = bpmn.getroot() if hasattr(bpmn, "getroot") else bpmn
        read_as_camunda(root)
        super().add_bpmn_xml(bpmn, filename)

    def add_dmn_xml(self, node, filename=None):
        """Add a DMN tree, reading operaton: as camunda:."""
        read_as_camunda(node)
        super().add_dmn_xml(node, filename)


__all__ = ["PathwayParser", "read_as_camunda", "split_names", "OPERATON_NS", "CAMUNDA_NS"]
