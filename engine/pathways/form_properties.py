"""Form properties, the forms Activiti and Flowable draw (and Camunda 7 still reads), as Camunda 7 form fields.

    <flowable:formProperty id="approved" name="Approved" type="boolean" required="true" />

becomes (once the namespace reads as Camunda's)

    <camunda:formData><camunda:formField id="approved" label="Approved" type="boolean">
      <camunda:validation><camunda:constraint name="required" /></camunda:validation></camunda:formField></camunda:formData>

so that the validator, the task's page and the engine read one kind of form. A property's `variable` is the
name its value is kept under, as the field's id is; `writable="false"` makes the field read-only.
"""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


def _camunda(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def form_properties_as_fields(root: etree._Element) -> None:
    """Rewrite, in place, each task's or start event's camunda:formProperty elements as one camunda:formData."""
    for extensions in root.iter(f"{{{BPMN_NS}}}extensionElements"):
        properties = extensions.findall(_camunda("formProperty"))
        # A step that has both keeps its form fields, as Camunda 7 reads only those then.
        if not properties or extensions.find(_camunda("formData")) is not None:
            continue
        form = etree.Element(_camunda("formData"))
        form.sourceline = properties[0].sourceline
        for prop in properties:
            form.append(_field(prop))
            extensions.remove(prop)
        extensions.append(form)


def _field(prop: etree._Element) -> etree._Element:
    field = etree.Element(_camunda("formField"), id=prop.get("variable") or prop.get("id") or "")
    field.sourceline = prop.sourceline
    for attribute, name in (("name", "label"), ("type", "type"), ("default", "defaultValue")):
        if prop.get(attribute) is not None:
            field.set(name, prop.get(attribute))
    constraints = [name for name, holds in (("required", prop.get("required") == "true"),
                                            ("readonly", prop.get("writable") == "false")) if holds]
    if constraints:
        validation = etree.SubElement(field, _camunda("validation"))
        for name in constraints:
            etree.SubElement(validation, _camunda("constraint"), name=name)
    for value in prop.findall(_camunda("value")):
        etree.SubElement(field, _camunda("value"), id=value.get("id") or "", name=value.get("name") or value.get("id") or "")
    return field
