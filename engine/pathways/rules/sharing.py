"""Sharing rules: the `sharing:` of pathway.yaml is well formed and names only fields of the pathway's forms."""

from __future__ import annotations

from engine.pathways.documents import BPMN_NS, Document
from engine.pathways.folder import METADATA_FILE, PathwaySource
from engine.pathways.forms import form_spec_from_bpmn
from engine.pathways.problems import Problem
from engine.pathways.sharing import sharing_problems

FORM_OWNERS = ("userTask", "startEvent")


def check_sharing(source: PathwaySource, documents: list[Document]) -> list[Problem]:
    """Every problem of the sharing declaration, and every field it names that no form has."""
    declared = source.metadata.get("sharing")
    if declared is None:
        return []
    problems = [Problem(METADATA_FILE, None, None, None, message, "sharing.invalid") for message in sharing_problems(declared)]
    if problems:
        return problems
    known = {
        spec.id
        for document in documents if document.kind == "bpmn"
        for owner in document.root.iter(*(f"{{{BPMN_NS}}}{name}" for name in FORM_OWNERS))
        for spec in form_spec_from_bpmn(owner).fields
    }
    for scope, sectors in (declared.get("scopes") or {}).items():
        for sector, names in sectors.items():
            for name in names:
                if name not in known:
                    problems.append(Problem(METADATA_FILE, None, None, None,
                                            f"sharing.scopes.{scope}.{sector} names {name!r}, which is not a field of any form",
                                            "sharing.unknown_field"))
    return problems
