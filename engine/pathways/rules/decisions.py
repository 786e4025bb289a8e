"""DMN files as the engine reads them: one decision per file, each a decision table it can run."""

from __future__ import annotations

from engine.pathways.documents import Document, local
from engine.pathways.problems import Problem

# FIRST behaves like the engine's UNIQUE (first match wins); the others need ordering or checks it lacks.
HIT_POLICIES = {"UNIQUE", "FIRST", "COLLECT"}


def check_decisions(documents: list[Document]) -> list[Problem]:
    """Each DMN file holds exactly one decision, written as a decision table with a supported hit policy."""
    problems = []
    for document in documents:
        if document.kind != "dmn":
            continue
        decisions = [child for child in document.root if local(child) == "decision"]
        if not decisions:
            problems.append(document.problem(document.root, "dmn.unsupported", "the DMN file holds no decision; add a decision table or remove the file"))
            continue
        for extra in decisions[1:]:
            problems.append(document.problem(extra, "dmn.unsupported", f"the file already holds decision {decisions[0].get('id')}; the engine reads one decision per DMN file: move this one to a file of its own"))
        for decision in decisions:
            problems += _check_decision(document, decision)
    return problems


def _check_decision(document: Document, decision) -> list[Problem]:
    tables = [child for child in decision if local(child) == "decisionTable"]
    if not tables:
        kinds = sorted({local(child) for child in decision if local(child) not in ("description", "extensionElements", "informationRequirement", "authorityRequirement", "knowledgeRequirement", "variable", "question", "allowedAnswers")})
        written = f" (it is written as {', '.join(kinds)})" if kinds else ""
        return [document.problem(decision, "dmn.unsupported", f"the decision is not a decision table{written}; only decision tables are run: redraw it as a table")]
    problems = []
    for table in tables:
        policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
        if policy not in HIT_POLICIES:
            problems.append(document.problem(decision, "dmn.unsupported", f"hit policy {policy} is not supported; use UNIQUE, FIRST or COLLECT"))
        if table.get("aggregation"):
            problems.append(document.problem(decision, "dmn.unsupported", f"COLLECT with aggregation {table.get('aggregation')} is not supported; collect the values and add them up in a script task"))
    if len(tables) > 1:
        problems.append(document.problem(tables[1], "dmn.unsupported", "the decision holds several tables; keep one table per decision"))
    return problems
