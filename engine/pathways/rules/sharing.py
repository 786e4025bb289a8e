"""Data protection rules: `sharing:`, `retention:` and `case_summary:` of pathway.yaml are well formed and name
only fields of its forms; so is `case_fields:`, whose fields a script may set instead (a warning when nothing does);
`need_fields:` names variables."""

from __future__ import annotations

import re

from engine.domain import Sector
from engine.pathways.case_fields import case_fields_problems
from engine.pathways.case_summary import sectors_named, summary_problems
from engine.pathways.documents import BPMN_NS, Document, local, text_of
from engine.pathways.folder import METADATA_FILE, PathwaySource
from engine.pathways.forms import form_spec_from_bpmn
from engine.pathways.need_fields import need_fields_problems
from engine.pathways.problems import Problem
from engine.pathways.retention import retention_problems
from engine.pathways.sharing import sharing_problems

FORM_OWNERS = ("userTask", "startEvent")


def form_field_ids(documents: list[Document]) -> set[str]:
    """The id of every field of every form of the pathway's diagrams."""
    return {
        spec.id
        for document in documents if document.kind == "bpmn"
        for owner in document.root.iter(*(f"{{{BPMN_NS}}}{name}" for name in FORM_OWNERS))
        for spec in form_spec_from_bpmn(owner).fields
    }


def check_sharing(source: PathwaySource, documents: list[Document]) -> list[Problem]:
    """Every problem of the sharing and retention declarations, and every field they name that no form has."""
    sharing, retention = source.metadata.get("sharing"), source.metadata.get("retention")
    problems = [Problem(METADATA_FILE, None, None, None, message, "sharing.invalid") for message in sharing_problems(sharing)]
    problems += [Problem(METADATA_FILE, None, None, None, message, "retention.invalid") for message in retention_problems(retention)]
    if problems or (sharing is None and retention is None):
        return problems
    named = [(f"sharing.scopes.{scope}.{sector}", names)
             for scope, sectors in ((sharing or {}).get("scopes") or {}).items() for sector, names in sectors.items()]
    named.append(("retention.keep_for_statistics", (retention or {}).get("keep_for_statistics") or []))
    known = form_field_ids(documents)
    return [Problem(METADATA_FILE, None, None, None, f"{where} names {name!r}, which is not a field of any form", "sharing.unknown_field")
            for where, names in named for name in names if name not in known]


def check_case_summary(source: PathwaySource, documents: list[Document]) -> list[Problem]:
    """Problems of the `case_summary:` declaration: its shape, fields no form has, sectors the engine does not know."""
    declared = source.metadata.get("case_summary")
    if declared is None:
        return []
    line = _line_of(source.files.get(METADATA_FILE, b""), "case_summary")

    def problem(message: str, rule: str) -> Problem:
        return Problem(METADATA_FILE, line, None, None, message, rule)

    shape = summary_problems(declared)
    if shape:
        return [problem(message, "case_summary.invalid") for message in shape]
    known = form_field_ids(documents)
    problems = [problem(f"case_summary.person names {name!r}, which is not a field of any form", "case_summary.unknown_field")
                for name in declared.get("person") or () if name not in known]
    if declared.get("alias") and declared["alias"] not in known:
        problems.append(problem(f"case_summary.alias names {declared['alias']!r}, which is not a field of any form",
                                "case_summary.unknown_field"))
    needs = declared.get("needs") or {}
    if not needs:
        return problems
    named = sectors_named(needs["needed"], known)
    if not named:
        problems.append(problem(f"case_summary.needs.needed {needs['needed']!r} fits no field of any form", "case_summary.unknown_field"))
    sectors = {sector.value for sector in Sector}
    for field_id, sector in named.items():
        if sector not in sectors:
            problems.append(problem(f"case_summary.needs.needed fits field {field_id!r}, but {sector!r} is not a sector; "
                                    f"sectors are {', '.join(sorted(sectors))}", "case_summary.unknown_sector"))
        elif needs.get("urgency") and (urgency := needs["urgency"].replace("{sector}", sector)) not in known:
            problems.append(problem(f"case_summary.needs.urgency names {urgency!r} for need {field_id!r}, "
                                    "which is not a field of any form", "case_summary.unknown_field"))
    return problems


def check_case_fields(source: PathwaySource, documents: list[Document]) -> list[Problem]:
    """Problems of the `case_fields:` declaration: its shape (errors), and a field that no form has and no
    script sets (a warning: the case's column then keeps its default)."""
    declared = source.metadata.get("case_fields")
    if declared is None:
        return []
    line = _line_of(source.files.get(METADATA_FILE, b""), "case_fields")
    shape = case_fields_problems(declared)
    if shape:
        return [Problem(METADATA_FILE, line, None, None, message, "case_fields.invalid") for message in shape]
    known = form_field_ids(documents) | _script_targets(documents)
    return [Problem(METADATA_FILE, line, None, None, (
        f"case_fields.{key} names {name!r}, which no form has and no script sets, so the case never takes this value "
        "from it"), "case_fields.unknown_field").as_warning()
        for key, name in declared.items() if name not in known]


def check_need_fields(source: PathwaySource) -> list[Problem]:
    """Problems of the `need_fields:` declaration: its shape, and a name no variable can have (errors)."""
    shape = need_fields_problems(source.metadata.get("need_fields"))
    line = _line_of(source.files.get(METADATA_FILE, b""), "need_fields") if shape else None
    return [Problem(METADATA_FILE, line, None, None, message, "need_fields.invalid") for message in shape]


def _script_targets(documents: list[Document]) -> set[str]:
    """The names the pathway's scripts assign (`closure_reason = 'unreachable'`)."""
    return {match.group(1) for document in documents if document.kind == "bpmn"
            for element in document.root.iter() if isinstance(element.tag, str) and local(element) == "script"
            for match in _ASSIGNED.finditer(text_of(element))}


_ASSIGNED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=[^=]", re.M)


def _line_of(text: bytes, key: str) -> int | None:
    """The line of pathway.yaml where a top-level key starts (None when it cannot be found)."""
    for number, line in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None
