"""The case's summary row: the person's declared fields, the needs assessed and the values referrals may
share, kept beside the workflow.

The pathway declares what the summary holds (`case_summary:` of pathway.yaml, `engine.pathways.case_summary`,
and the fields `sharing:` names). Every step writes it in its own transaction when the case's data
changed it, so the case page and a referral's page read one row instead of loading the saved
workflow. Migration 0015 filled it for the cases that existed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql, sqlite

from dataclasses import dataclass

from engine.pathways.case_summary import SummaryRule, summary_rule_of
from engine.pathways.sharing import rule_of as sharing_rule_of
from engine.pathways.folder import METADATA_FILE
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml
from engine.runtime.case_data import read_case_data
from engine.services.pathways.metadata import derived_from_metadata
from engine.store.models import CaseRow, CaseSummaryRow
from engine.store.prepared import Prepared, StatementBatch

if TYPE_CHECKING:
    from engine.services.cases.step import Step

@dataclass(frozen=True)
class VersionSummary:
    """What a version's summary rows hold: the header's rule and the fields any referral may share."""

    rule: SummaryRule
    shared_fields: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.rule.fields and not self.shared_fields

    def shared_of(self, data: dict) -> dict:
        return {name: data[name] for name in self.shared_fields if name in data}


def summary_rule(session, version_id: int, content_hash: str | None = None) -> VersionSummary:
    """What a published pathway version's summary holds (read once per process: versions never change)."""
    return derived_from_metadata(session, version_id, _summary_of, content_hash)


def _rule_of_file(raw: bytes | None) -> VersionSummary:
    loaded = load_untrusted_yaml(raw) if raw is not None else None
    return _summary_of(loaded if isinstance(loaded, dict) and not isinstance(loaded, YamlProblem) else {})


def _summary_of(metadata: dict) -> VersionSummary:
    sharing = sharing_rule_of(metadata)
    shared = dict.fromkeys(name for sectors in sharing.scopes.values() for names in sectors.values() for name in names)
    return VersionSummary(summary_rule_of(metadata), tuple(shared))


def summary_values(step: Step) -> tuple[dict, dict, dict] | None:
    """The summary's (person, needs, shared) from the case's data as the step holds it; None when the version declares none."""
    summary = summary_rule(step.session, step.case.pathway_version_id, step.content_hash)
    if summary.empty:
        return None
    data = read_case_data(step.workflow)  # only picked from; _plain copies what is kept
    return _plain(summary.rule.person_of(data)), summary.rule.needs_of(data), _plain(summary.shared_of(data))


def record_case_summary(step: Step, batch: StatementBatch) -> None:
    """Queue the case's summary, from its data as this step leaves it, with the step's writes when the
    step changed it.

    The row was written from the data the step started from (every step that changes the data
    writes it), so comparing with that data spares reading the row back: most steps (a timer, an
    acknowledgement) change nothing in it.
    """
    values = summary_values(step)
    if values is None:
        return
    moved = step.case.pathway_version_id != (step.case.loaded or {}).get("pathway_version_id")
    before = step.summary_before
    if before is not None and not moved and all(_same(was, now) for was, now in zip(before, values)):
        return
    person, needs, shared = values
    # An upsert: a concurrent step of the same case may have written it first; that step's version
    # check then turns this one into a conflict, not a duplicate-key error.
    batch.add(_UPSERT_SUMMARY[step.connection.dialect.name],
              [{"case_id": step.case.id, "person": person, "needs": needs, "shared": shared, "updated_at": step.now}])


def _upsert_summary(dialect_insert) -> Prepared:
    statement = dialect_insert(CaseSummaryRow.__table__)
    return Prepared(statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={name: getattr(statement.excluded, name) for name in ("person", "needs", "shared", "updated_at")},
    ))


_UPSERT_SUMMARY = {"postgresql": _upsert_summary(postgresql.insert), "sqlite": _upsert_summary(sqlite.insert)}


def _plain(values: dict) -> dict:
    # As the JSON column gives it back (dates as ISO text), so that comparing with the stored row works.
    return json.loads(json.dumps(values, default=str))


def _same(stored, computed: dict) -> bool:
    # Key order matters too (the header lists in it).
    return list((stored or {}).items()) == list(computed.items())


def forget_personal_summary(session, case_id: int, version_id: int, personal_fields: frozenset[str]) -> None:
    """Remove from a case's summary what anonymisation removes from its data (the fields not kept)."""
    row = session.get(CaseSummaryRow, case_id)
    if row is None:
        return
    rule = summary_rule(session, version_id).rule
    row.person = {name: value for name, value in (row.person or {}).items() if name not in personal_fields}
    row.shared = {name: value for name, value in (row.shared or {}).items() if name not in personal_fields}
    row.needs = {sector: urgency for sector, urgency in (row.needs or {}).items()
                 if rule.need_field(sector) not in personal_fields}
    if rule.urgency:
        row.needs = {sector: ("" if rule.urgency_field(sector) in personal_fields else urgency)
                     for sector, urgency in row.needs.items()}


def backfill_case_summaries(connection, batch: int = 500) -> int:
    """Write the summary of every case that has none, from its saved workflow (migration 0015); how many.

    Each summary is dated as its case was last changed: it describes the case as it stood then."""
    from engine.runtime import serializer
    from engine.services.cases.step import script_engine_for, specs_for_version
    from engine.clock import ManualClock

    versions = connection.execute(text("SELECT id, content_hash, main_file FROM pathway_versions")).all()
    written = 0
    for version_id, content_hash, main_file in versions:
        raw = connection.execute(text("SELECT content FROM pathway_files WHERE version_id = :v AND path = :p"),
                                 {"v": version_id, "p": METADATA_FILE}).scalar()
        summary = _rule_of_file(raw)
        if summary.empty:
            continue
        specs = specs_for_version(_Files(connection), version_id, content_hash, main_file)
        last_id = 0
        while True:
            rows = connection.execute(_CASES_WITHOUT_SUMMARY, {"v": version_id, "last": last_id, "n": batch}).all()
            if not rows:
                break
            values = []
            for case_id, blob, updated_at in rows:
                last_id = case_id
                try:
                    data = read_case_data(serializer.loads(blob, specs, script_engine_for(ManualClock(updated_at))))
                except Exception:  # noqa: BLE001 - an unreadable workflow keeps no summary; its page shows none
                    continue
                values.append({"case_id": case_id, "person": _plain(summary.rule.person_of(data)),
                               "needs": summary.rule.needs_of(data), "shared": _plain(summary.shared_of(data)),
                               "updated_at": updated_at})
            if values:
                connection.execute(insert(CaseSummaryRow.__table__), values)
                written += len(values)
    return written


# Typed on the cases table's columns, so that the moment a case was changed is read back as a datetime on SQLite too.
_CASES_WITHOUT_SUMMARY = text(
    "SELECT id, workflow_json, updated_at FROM cases WHERE pathway_version_id = :v AND id > :last "
    "AND NOT EXISTS (SELECT 1 FROM case_summaries s WHERE s.case_id = cases.id) ORDER BY id LIMIT :n"
).columns(CaseRow.__table__.c.id, CaseRow.__table__.c.workflow_json, CaseRow.__table__.c.updated_at)


class _Files:
    """Just enough of a unit of work for `specs_for_version` to read a version's files on a bare connection."""

    def __init__(self, connection):
        self.session = connection
