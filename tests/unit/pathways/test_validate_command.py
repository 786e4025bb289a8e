"""`aiguillage pathway validate`: output lines and exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pathway_fixtures import mini_folder  # noqa: F401 - pytest fixture
from webui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, ["pathway", "validate", *args])


def test_valid_folder_prints_valid_with_task_count_and_languages(mini_folder: Path):
    result = run(str(mini_folder))
    assert result.exit_code == 0, result.output
    # Its reminder timer leads to the supervisor's task: an escalation as drawn, nothing to warn about.
    assert result.output.strip().splitlines() == [f"{mini_folder}: valid (3 tasks, languages fr, en)"]


def test_invalid_file_prints_one_located_line_per_problem_and_exits_1(tmp_path: Path):
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<?xml version='1.0'?>\n<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>\n<oops>\n</bpmn:definitions>\n")
    result = run(str(broken))
    assert result.exit_code == 1
    assert f"{broken}:4: the file is not well-formed XML" in result.output
    assert "Traceback" not in result.output


def test_exit_code_is_1_when_any_of_several_paths_is_invalid(tmp_path: Path, mini_folder: Path):
    empty = tmp_path / "empty.bpmn"
    empty.write_bytes(b"")
    result = run(str(mini_folder), str(empty))
    assert result.exit_code == 1
    assert "valid (3 tasks" in result.output
    assert "the file is empty" in result.output


def test_missing_path_and_missing_argument_are_usage_errors(tmp_path: Path):
    assert run(str(tmp_path / "nowhere")).exit_code == 2
    assert run().exit_code == 2


def test_folder_problems_are_printed_with_the_folder_path_and_no_traceback(tmp_path: Path):
    folder = tmp_path / "broken-folder"
    (folder / "scenarios").mkdir(parents=True)
    (folder / "pathway.bpmn").write_bytes(bytes(range(256)))
    (folder / "scenarios" / "walk.yaml").write_text("a: [\n", encoding="utf-8")
    result = run(str(folder))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert f"{folder}/pathway.bpmn: the file is not UTF-8 text" in result.output
    assert f"{folder}/pathway.yaml: the folder has no pathway.yaml" in result.output
    assert any(line.startswith(f"{folder}/scenarios/walk.yaml:2: ") for line in lines)
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_warnings_are_printed_and_the_file_stays_valid(tmp_path: Path):
    diagram = tmp_path / "nameless.bpmn"
    diagram.write_text(NAMELESS_TASK, encoding="utf-8")
    result = run(str(diagram))
    assert result.exit_code == 0, result.output
    assert f"{diagram}:4: Task_1: warning: the user task has no name; task lists show its id, Task_1" in result.output
    assert result.output.strip().endswith("valid (1 task, languages the diagram's own, 1 warning)")


def test_summary_counts_valid_unsupported_and_defective_diagrams_in_a_folder(tmp_path: Path, mini_folder: Path):
    library = tmp_path / "library"
    (library / "nested").mkdir(parents=True)
    (library / "nameless.bpmn").write_text(NAMELESS_TASK, encoding="utf-8")
    (library / "nested" / "groovy.bpmn").write_text(NAMELESS_TASK.replace(
        '<bpmn:userTask id="Task_1" />',
        '<bpmn:scriptTask id="Task_1" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'), encoding="utf-8")
    (library / "nested" / "empty.bpmn").write_bytes(b"")
    # Refused, with a warning too: counted with the refused ones, not among the valid ones with warnings.
    (library / "nested" / "groovy-and-nameless.bpmn").write_text(NAMELESS_TASK.replace(
        '<bpmn:userTask id="Task_1" />',
        '<bpmn:userTask id="Task_1" /><bpmn:scriptTask id="Task_2" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>'
        '</bpmn:scriptTask>'), encoding="utf-8")
    result = run("--summary", str(library), str(mini_folder))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == ("5 pathways: 2 valid (1 with warnings), 2 refused only for features not run here, "
                        "1 refused for defects")
    assert "  not run here: scripts in another language (Groovy, JavaScript...): 2" in lines
    assert "  defect: xml.empty: 1" in lines


NAMELESS_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:userTask id="Task_1" />
    <bpmn:startEvent id="Start_1" />
    <bpmn:endEvent id="End_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="Task_1" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_1" targetRef="End_1" />
  </bpmn:process>
</bpmn:definitions>
"""
