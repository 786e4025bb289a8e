"""Indicator dimensions declared by the pathway, recorded when the task that asks for them is done.

A form field carrying the property ``aiguillage.indicator`` names the dimension its value feeds:

    <camunda:property id="aiguillage.indicator" value="sex" />

The engine knows no field ids: whichever field a pathway marks ``source``, ``sex``, ``age_group``
or ``satisfaction`` is what the indicators group cases by. A number marked ``age_group`` is kept
as its age band only (never the age itself); a yes/no field as ``yes``/``no``.

A dimension several yes/no fields of one form declare (``vulnerability`` on each screening question)
holds several values: the id of each field ticked, none when none is. Its table counts the persons
with each value; a person may have several, so its rows are no partition.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from engine.pathways.forms import form_spec_of
from engine.store.models import CaseFactRow

if TYPE_CHECKING:
    from engine.services.cases.step import Step

INDICATOR_PROPERTY = "aiguillage.indicator"
AGE_GROUP = "age_group"
# Dimensions the indicator pages show, in this order; a pathway may declare others (exported only).
DIMENSIONS = ("source", "sex", AGE_GROUP, "satisfaction")
# A dimension of several values (declared on several yes/no fields): persons are counted under each.
VULNERABILITY = "vulnerability"
# The age bands humanitarian reporting uses (children 0-4, 5-11, 12-17; adults; older persons).
AGE_BANDS = ((0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"), (18, 24, "18-24"), (25, 59, "25-59"), (60, None, "60+"))
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def age_band(age: int | float) -> str:
    """The age band of an age in years."""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return AGE_BANDS[0][2]


def declared_dimension(field) -> str | None:
    """The indicator dimension a form field feeds, or None when it feeds none (or names one badly)."""
    name = str(field.properties.get(INDICATOR_PROPERTY, "")).strip()
    return name if _NAME.match(name) else None


def indicator_values(form: Any, cleaned: dict) -> dict[str, list[tuple[str, str]]]:
    """{dimension: [(value, field id)]} for the declared fields of a submitted form that were filled in (one value
    each, but for a dimension declared on several yes/no fields)."""
    spec = form_spec_of(form)
    declaring: dict[str, list] = {}
    for field in spec.fields if spec is not None else ():
        name = declared_dimension(field)
        if name is not None:
            declaring.setdefault(name, []).append(field)
    found: dict[str, list[tuple[str, str]]] = {}
    for name, fields in declaring.items():
        if len(fields) > 1 and all(field.type == "boolean" for field in fields):
            if any(cleaned.get(field.id) is not None for field in fields):
                found[name] = [(field.id, field.id) for field in fields if cleaned.get(field.id) is True]
            continue
        for field in fields:  # one value: the last field filled in wins
            value = cleaned.get(field.id)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, (int, float)):
                text = age_band(value) if name == AGE_GROUP else str(value)
            else:
                text = str(value)
            found[name] = [(text[:100], field.id)]
    return found


def record_indicator_facts(step: Step, form: Any, cleaned: dict) -> None:
    """Keep the declared dimensions of this submission on the case, in the step's transaction and history."""
    values = indicator_values(form, cleaned)
    if not values:
        return
    session = step.session
    session.execute(delete(CaseFactRow).where(CaseFactRow.case_id == step.case.id, CaseFactRow.name.in_(values)))
    rows = [
        {"case_id": step.case.id, "name": name, "value": value, "field_id": field_id, "recorded_at": step.now}
        for name, found in values.items() for value, field_id in found
    ]
    if rows:
        # An upsert: a concurrent step of the same case may have written the same fact first; that
        # step's version check then turns this one into a conflict, not a duplicate-key error.
        dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = dialect_insert(CaseFactRow)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["case_id", "name", "value"],
                set_={"field_id": statement.excluded.field_id, "recorded_at": statement.excluded.recorded_at},
            ),
            rows,
        )
    # A value that is its own field's id came from a dimension of several values: kept as a list.
    step.details["indicators"] = {
        name: found[0][0] if len(found) == 1 and found[0][0] != found[0][1] else [value for value, _field in found]
        for name, found in values.items()
    }


def declared_fields(files: dict[str, bytes]) -> dict[str, str]:
    """{dimension: form field id} declared in a pathway's BPMN files (the first field naming a dimension wins)."""
    from engine.pathways.folder import BPMN_SUFFIXES
    from engine.pathways.xml import XmlProblem, parse_untrusted

    found: dict[str, str] = {}
    for name in sorted(files):
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root = parse_untrusted(files[name])
        if isinstance(root, XmlProblem):
            continue
        for element in root.iter("{*}formField"):
            for prop in element.iter("{*}property"):
                key = prop.get("id") or prop.get("name")
                value = (prop.get("value") or "").strip()
                if key == INDICATOR_PROPERTY and _NAME.match(value):
                    found.setdefault(value, element.get("id"))
    return found
