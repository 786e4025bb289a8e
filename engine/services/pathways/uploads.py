"""Pathways sent as uploaded files (a folder's files with their relative paths, or one .bpmn file):
validated or published exactly as a folder on disk would be.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from engine import field_problems as problem
from engine.access import Actor
from engine.clock import Clock
from engine.domain import Role
from engine.errors import AccessDenied, InvalidData
from engine.field_problems import FieldProblem
from engine.pathways.folder import BPMN_SUFFIXES, MAX_FILES, PathwaySource, load_source
from engine.pathways.problems import Problem
from engine.pathways.validation import validate
from engine.services.pathways.publishing import PublishResult, publish_pathway
from engine.store.unit_of_work import UnitOfWork


def validate_uploaded_pathway(files: dict[str, bytes], actor: Actor) -> list[Problem]:
    """Every problem of the uploaded pathway (empty when it can be published)."""
    check_author(actor)
    return validate(source_of_files(files))


def publish_uploaded_pathway(uow: UnitOfWork, clock: Clock, files: dict[str, bytes], actor: Actor,
                             notes: str | None = None) -> PublishResult:
    """Publish the uploaded pathway as its next version (PathwayInvalid listing the problems otherwise)."""
    check_author(actor)
    return publish_pathway(uow, source_of_files(files), clock, published_by=actor.id, notes=notes)


def source_of_files(files: dict[str, bytes]) -> PathwaySource:
    """The pathway the files make, read exactly as the same folder on disk would be (InvalidData for bad names)."""
    with tempfile.TemporaryDirectory(prefix="pathway-upload-") as folder:
        return load_source(_written(files, Path(folder)))


def check_author(actor: Actor) -> None:
    """AccessDenied unless the actor is an active SOP author."""
    if not (actor.active and actor.has(Role.SOP_AUTHOR)):
        raise AccessDenied(f"{actor.username} may not validate or publish pathways (SOP authors do)")


def _written(files: dict[str, bytes], root: Path) -> Path:
    """Write the files under `root`; the pathway's path (the folder, or the lone .bpmn file)."""
    if not files:
        raise InvalidData("send the pathway's files", {"files": [problem.required()]})
    if len(files) > MAX_FILES:
        raise InvalidData(f"a pathway has at most {MAX_FILES} files", {"files": [FieldProblem("too_many_files", f"at most {MAX_FILES} files", limit=MAX_FILES)]})
    folder = root / "pathway"
    folder.mkdir()
    for name, content in files.items():
        relative = _safe_relative(name)
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if len(files) == 1:
        only = folder.joinpath(*_safe_relative(next(iter(files))).parts)
        if only.name.lower().endswith(BPMN_SUFFIXES):
            return only
    return folder


def _safe_relative(name: str) -> PurePosixPath:
    # File names come from the client: only plain relative paths inside the pathway folder.
    path = PurePosixPath(name.replace("\\", "/"))
    if (not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts)
            or any(not part.isprintable() or part.startswith(".") for part in path.parts) or len(name) > 255):
        raise InvalidData(f"file name {name[:80]!r} is not a relative path inside the pathway",
                          {"files": [FieldProblem("bad_file_name", f"bad file name {name[:80]!r}", name=name[:80])]})
    return path
