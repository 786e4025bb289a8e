"""Data protection rules: `sharing:` and `retention:` of pathway.yaml are well formed and name only fields of its forms."""

from __future__ import annotations

from engine.pathways.documents import BPMN_NS, Document
from engine.pathways.folder import METADATA_FILE, PathwaySource
from engine.pathways.forms import form_spec_from_bpmn
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
