"""Training installations: a clock that a trainer moves forward, so that timers days away come due now.

Only `aiguillage demo` makes an installation a training one, on the database it creates; nothing
turns a production database into one. Every process reads the offset through its
`engine.clock.InstallationClock`, and the offset only grows: the installation's time never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from engine import field_problems as problem
from engine.access import Actor, can_move_training_clock
from engine.clock import Clock
from engine.errors import AccessDenied, AiguillageError, InvalidData
from engine.store.models import AuditEntry, InstallationSettings
from engine.store.models.installation import INSTALLATION_ROW
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

# One move at most this far, so that a typing slip cannot carry the installation centuries ahead.
LONGEST_MOVE = timedelta(days=3660)


class NotTrainingInstallation(AiguillageError):
    """Only a training installation's clock can be moved: any other runs on the real time."""

    code = "not_training_installation"


@dataclass(frozen=True)
class InstallationTime:
    """The real time, how far a training installation's clock is ahead of it, and the time the installation runs on."""

    real_at: datetime
    training: bool
    offset: timedelta

    @property
    def installation_at(self) -> datetime:
        return self.real_at + self.offset


def read_installation_time(uow: UnitOfWork, real_clock: Clock) -> InstallationTime:
    """Whether this is a training installation, and how far its clock has been moved."""
    with uow:
        row = uow.session.get(InstallationSettings, INSTALLATION_ROW)
        training = row is not None and row.training
        offset = timedelta(seconds=row.clock_offset_seconds) if training else timedelta(0)
        return InstallationTime(real_clock.now(), training, offset)


def start_training_mode(uow: UnitOfWork, real_clock: Clock) -> None:
    """Make this installation a training one (the demo does, on its own database); its offset is kept."""
    with uow:
        lock_for_writing(uow)
        row = uow.session.get(InstallationSettings, INSTALLATION_ROW)
        if row is None:
            uow.session.add(InstallationSettings(id=INSTALLATION_ROW, training=True, clock_offset_seconds=0,
                                                 updated_at=real_clock.now()))
        elif not row.training:
            row.training = True
            row.updated_at = real_clock.now()
        uow.commit()


def move_clock_forward(uow: UnitOfWork, real_clock: Clock, by: timedelta, moved_by: int | None = None) -> InstallationTime:
    """Move a training installation's clock forward (audited with `moved_by`, the user's id, when a person did it)."""
    if by <= timedelta(0):
        raise InvalidData("the clock only moves forward: give a positive number of days or hours")
    if by > LONGEST_MOVE:
        raise InvalidData(f"the clock moves at most {LONGEST_MOVE.days} days at a time")
    seconds = int(by.total_seconds())
    with uow:
        lock_for_writing(uow)
        # One statement: two trainers moving the clock at once add up, and nobody can move it back.
        moved = uow.session.execute(
            update(InstallationSettings)
            .where(InstallationSettings.id == INSTALLATION_ROW, InstallationSettings.training.is_(True))
            .values(clock_offset_seconds=InstallationSettings.clock_offset_seconds + seconds,
                    updated_at=real_clock.now())
        )
        if moved.rowcount != 1:
            raise NotTrainingInstallation(
                "this installation is not a training installation: its clock is the real time and cannot be moved"
                " (only `aiguillage demo` creates training installations)"
            )
        if moved_by is not None:
            uow.session.add(AuditEntry(at=real_clock.now(), user_id=moved_by, action="installation.clock_moved",
                                       object_type="installation", object_id=None, case_id=None,
                                       details={"by_seconds": seconds}))
        uow.commit()
    return read_installation_time(uow, real_clock)


def move_training_clock(uow: UnitOfWork, real_clock: Clock, actor: Actor, days: str, hours: str) -> InstallationTime:
    """A trainer's move of the clock, as a form gives it (whole days and hours); audited with who moved it."""
    if not can_move_training_clock(actor):
        raise AccessDenied(f"{actor.username} may not move the training clock (coordinators and administrators do)")
    amounts, errors = {}, {}
    for name, text, limit in (("days", days, LONGEST_MOVE.days), ("hours", hours, 23)):
        text = (text or "").strip() or "0"
        if text.startswith("-") and text[1:].isdigit():
            errors[name] = [problem.forward_only()]
        elif not text.isdigit():
            errors[name] = [problem.not_whole_number()]
        elif int(text) > limit:
            errors[name] = [problem.too_big(limit)]
        else:
            amounts[name] = int(text)
    if errors:
        raise InvalidData("the clock moves by whole days and hours", errors)
    by = timedelta(days=amounts["days"], hours=amounts["hours"])
    if by <= timedelta(0):
        raise InvalidData("say how far the clock moves", {"days": [problem.forward_only()]})
    return move_clock_forward(uow, real_clock, by, moved_by=actor.id)
