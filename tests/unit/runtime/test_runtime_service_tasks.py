"""Service tasks call only operations registered in code, with parameters from safe expressions."""

from __future__ import annotations

import pytest
from runtime_cases import Case, fixture_files

from engine.runtime.operations import OperationError, OperationRegistry
from engine.runtime.script_engine import SafeScriptEngine
from engine.runtime.specs import load_specs

DATA = {"need": "medical", "region": "littoral"}


def open_with(clock, operations: OperationRegistry) -> Case:
    specs = load_specs(fixture_files("service_task.bpmn"), main="service_task.bpmn")
    return Case(specs, SafeScriptEngine(clock, operations=operations), DATA)


def test_service_task_calls_the_registered_operation_and_stores_its_result(clock):
    calls = []

    def find_providers(service, region):
        calls.append((service, region))
        return [{"id": "hopital-douala", "service": service}]

    case = open_with(clock, OperationRegistry({"find_providers": find_providers}))

    [task] = case.ready()
    assert calls == [("medical", "LITTORAL")]
    assert task.data["providers"] == [{"id": "hopital-douala", "service": "medical"}]


def test_service_task_naming_an_unknown_operation_fails_with_its_name(clock):
    registry = OperationRegistry()
    registry.register("send_sms", lambda **params: None)

    case = open_with(clock, registry)

    [failure] = case.failures
    assert failure.bpmn_id == "Service_Providers"
    assert 'unknown operation "find_providers"' in failure.message
    assert "send_sms" in failure.message


def test_failing_operation_is_reported_on_its_task(clock):
    def find_providers(service, region):
        raise ConnectionError("directory unreachable")

    case = open_with(clock, OperationRegistry({"find_providers": find_providers}))

    [failure] = case.failures
    assert 'operation "find_providers" failed: ConnectionError: directory unreachable' in failure.message


def test_registry_refuses_what_it_cannot_call():
    registry = OperationRegistry()

    with pytest.raises(ValueError):
        registry.register("broken", "not a function")
    with pytest.raises(OperationError, match="none are registered"):
        registry.call("anything", {})
