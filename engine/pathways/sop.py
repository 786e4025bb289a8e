"""The SOP document of a pathway version: what a validation workshop reads, in one language.

Everything comes from the pathway's files (`overview_of`), plus one flowchart per stage laid out
for an A4 page (`engine.pathways.flowchart`).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.pathways.flowchart import FlowGraph, Flowchart, stage_flowchart
from engine.pathways.folder import PathwaySource
from engine.pathways.overview import PathwayOverview, Stage, overview_of


@dataclass(frozen=True)
class StageSection:
    """One stage of the SOP: its steps and deadlines, and its flowchart."""

    stage: Stage
    flowchart: Flowchart


@dataclass(frozen=True)
class SopDocument:
    """The whole SOP in one language."""

    overview: PathwayOverview
    sections: tuple[StageSection, ...]

    @property
    def consent_steps(self):
        """The steps that record, refuse, override or withdraw consent."""
        return tuple(step for step in self.overview.steps if step.consent)


def sop_document(source: PathwaySource, language: str | None, no_lane: str) -> SopDocument:
    """The SOP of `source` in `language`; `no_lane` names the column of steps drawn outside any lane."""
    overview = overview_of(source, language)
    graph = FlowGraph(source)
    lanes = [label for label, _ in overview.lanes]
    sections = tuple(
        StageSection(stage, stage_flowchart(graph, [(s.id, s.name, s.lane) for s in stage.steps], lanes, no_lane,
                                            labelled_by=f"flowchart-{stage.code or 'other'}"))
        for stage in overview.stages if stage.steps
    )
    return SopDocument(overview, sections)
