"""Training installations: a clock that a trainer moves forward, so that timers days away come due now.

Only `aiguillage demo` makes an installation a training one, on the database it creates; nothing
turns a production database into one. Every process reads the offset through its
`engine.clock.InstallationClock`, and the offset only grows: the installation's time never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from engine.clock import Clock
from engine.errors import AiguillageError, InvalidData
from engine.store.models import InstallationSettings
from engine.store.models.installation import INSTALLATION_ROW
from engine.store.unit_of_work import UnitOfWork

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
        row = uow.session.get(InstallationSettings, INSTALLATION_ROW)
        if row is None:
            uow.session.add(InstallationSettings(id=INSTALLATION_ROW, training=True, clock_offset_seconds=0,
                                                 updated_at=real_clock.now()))
        elif not row.training:
            row.training = True
            row.updated_at = real_clock.now()
        uow.commit()


def move_clock_forward(uow: UnitOfWork, real_clock: Clock, by: timedelta) -> InstallationTime:
    """Move a training installation's clock forward; every process of it follows within seconds."""
    if by <= timedelta(0):
        raise InvalidData("the clock only moves forward: give a positive number of days or hours")
    if by > LONGEST_MOVE:
        raise InvalidData(f"the clock moves at most {LONGEST_MOVE.days} days at a time")
    seconds = int(by.total_seconds())
    with uow:
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
        uow.commit()
    return read_installation_time(uow, real_clock)
