"""Every scenario of every pathway under pathways/ (and of the guide's worked example, tests/pathways/small-referral)
runs green, and every such pathway validates and is fully drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.pathways.folder import load_source
from engine.pathways.scenarios import load_scenarios, run_scenario
from engine.pathways.validation import validate

PATHWAYS = Path(__file__).resolve().parents[2] / "pathways"
# The worked example of pathways/README.md is a pathway folder of its own, next to this file.
EXAMPLES = Path(__file__).resolve().parent
FOLDERS = sorted((p for root in (PATHWAYS, EXAMPLES) for p in root.iterdir() if (p / "pathway.yaml").is_file()),
                 key=lambda p: p.name)
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The elements a modeler draws: each needs its shape or edge, or Camunda Modeler shows it nowhere.
DRAWN = {"userTask", "task", "scriptTask", "serviceTask", "businessRuleTask", "manualTask", "sendTask", "receiveTask",
         "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
         "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
         "complexGateway", "sequenceFlow", "lane", "participant"}


def _scenario_cases():
    for folder in FOLDERS:
        source = load_source(folder)
        for scenario in load_scenarios(source):
            yield pytest.param(source, scenario, id=f"{folder.name}/{scenario.file}")


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_pathway_validates(folder):
    problems = validate(load_source(folder))
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_pathway_diagrams_draw_every_element(folder):
    for path in sorted(folder.glob("*.bpmn")):
        tree = etree.parse(str(path))
        elements = {node.get("id") for node in tree.iter(*(f"{{{BPMN}}}{tag}" for tag in DRAWN))}
        drawn = {node.get("bpmnElement") for node in tree.iter() if node.get("bpmnElement")}
        assert sorted(elements - drawn) == [], f"{path.name}: elements without a shape or edge"


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_pathway_has_scenarios(folder):
    assert load_scenarios(load_source(folder)), f"{folder.name} has no scenarios/*.yaml"


@pytest.mark.parametrize(("source", "scenario"), list(_scenario_cases()))
def test_scenario_runs_as_written(source, scenario):
    result = run_scenario(source, scenario)
    assert result.passed, "\n".join(map(str, result.failures))
    assert result.steps_run == len(scenario.steps)


def test_the_cameroon_pathway_has_the_six_required_walks():
    names = {s.file for s in load_scenarios(load_source(PATHWAYS / "cameroon-nrm"))}
    for required in ("happy-path", "consent-refused", "redirected", "escalated", "consent-withdrawn", "unreachable"):
        assert any(required in name for name in names), required
