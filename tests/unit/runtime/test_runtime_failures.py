"""A task that fails is never silently stuck: advance reports it every time until it is repaired."""

from __future__ import annotations


def test_failing_script_is_surfaced_by_advance(open_case):
    case = open_case("script_error.bpmn")

    [failure] = case.failures
    assert failure.bpmn_id == "Script_Assess"
    assert "missing_value" in failure.message
    assert not case.completed

    again = case.advance()

    assert again == [failure]
