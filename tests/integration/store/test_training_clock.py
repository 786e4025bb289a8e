"""Training installations: only the demo makes one, its clock only moves forward, every process follows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from engine.bootstrap import Settings, build
from engine.clock import InstallationClock
from engine.errors import InvalidData
from engine.services.installation.training_clock import (
    NotTrainingInstallation,
    move_clock_forward,
    read_installation_time,
    start_training_mode,
)
from engine.store.db import make_engine
from engine.store.installation import training_offset_reader
from webui.cli import main


class Ticks:
    """A monotonic counter the test moves by hand."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def test_a_new_installation_runs_on_the_real_time_and_refuses_to_move_its_clock(container, clock):
    time = read_installation_time(container.uow(), clock)
    assert (time.training, time.offset, time.installation_at) == (False, timedelta(0), clock.now())
    with pytest.raises(NotTrainingInstallation, match="not a training installation"):
        move_clock_forward(container.uow(), clock, timedelta(days=31))
    assert read_installation_time(container.uow(), clock).offset == timedelta(0)
    assert training_offset_reader(container.engine)() is None


def test_a_training_installation_clock_moves_forward_and_moves_add_up(container, clock):
    start_training_mode(container.uow(), clock)
    assert read_installation_time(container.uow(), clock).offset == timedelta(0)
    moved = move_clock_forward(container.uow(), clock, timedelta(days=31))
    assert (moved.training, moved.offset, moved.installation_at) == (True, timedelta(days=31), clock.now() + timedelta(days=31))
    assert move_clock_forward(container.uow(), clock, timedelta(hours=5)).offset == timedelta(days=31, hours=5)
    # The demo started again keeps the clock where it was.
    start_training_mode(container.uow(), clock)
    assert training_offset_reader(container.engine)() == timedelta(days=31, hours=5)


@pytest.mark.parametrize("by", [timedelta(0), timedelta(hours=-1), timedelta(days=3661)])
def test_the_clock_never_moves_back_nor_leaps_years(container, clock, by):
    start_training_mode(container.uow(), clock)
    with pytest.raises(InvalidData):
        move_clock_forward(container.uow(), clock, by)
    assert read_installation_time(container.uow(), clock).offset == timedelta(0)


def test_the_database_refuses_a_negative_offset(container, clock):
    start_training_mode(container.uow(), clock)
    with pytest.raises(IntegrityError), container.engine.begin() as connection:
        connection.execute(text("UPDATE installation_settings SET clock_offset_seconds = -60"))


def test_a_long_lived_process_sees_another_process_move_within_its_refresh(container, clock):
    start_training_mode(container.uow(), clock)
    ticks = Ticks()
    # A second engine on the same database: another process's view of it.
    other = make_engine(container.engine.url.render_as_string(hide_password=False))
    try:
        web = InstallationClock(training_offset_reader(other), real=clock, refresh=timedelta(seconds=3), ticks=ticks)
        assert web.now() == clock.now()
        move_clock_forward(container.uow(), clock, timedelta(days=2))
        ticks.seconds = 1
        assert web.now() == clock.now(), "read again before the refresh interval"
        ticks.seconds = 3
        assert web.now() == clock.now() + timedelta(days=2)
    finally:
        other.dispose()


def test_a_built_container_runs_on_the_training_clock(database_url, tmp_path, clock):
    built = build(Settings(database_url=database_url, instance_dir=tmp_path))
    try:
        assert built.clock.training_offset() is None
        start_training_mode(built.uow(), clock)
        move_clock_forward(built.uow(), clock, timedelta(days=31))
        fresh = build(Settings(database_url=database_url, instance_dir=tmp_path))
        try:
            ahead = fresh.clock.now() - fresh.clock.real.now()
            assert timedelta(days=31) - timedelta(seconds=5) < ahead <= timedelta(days=31)
        finally:
            fresh.dispose()
    finally:
        built.dispose()


def test_a_database_not_yet_initialised_is_not_a_training_installation(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    try:
        assert training_offset_reader(engine)() is None
    finally:
        engine.dispose()


def test_clock_forward_on_an_installation_that_is_not_a_training_one_fails_in_one_line(container):
    result = CliRunner().invoke(main, ["clock", "forward", "--days", "31"], obj=container)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: this installation is not a training installation: its clock is the real time and cannot be moved"
        " (only `aiguillage demo` creates training installations)"
    ]
    shown = CliRunner().invoke(main, ["clock", "show"], obj=container)
    assert shown.exit_code == 0 and "not a training installation" in shown.output


def test_clock_forward_and_show_on_a_training_installation(container, clock):
    start_training_mode(container.uow(), clock)
    moved = CliRunner().invoke(main, ["clock", "forward", "--days", "1", "--hours", "6"], obj=container)
    assert moved.exit_code == 0, moved.output
    assert "Clock moved forward by 1 day 6 hours" in moved.output
    shown = CliRunner().invoke(main, ["clock", "show"], obj=container)
    assert "Offset:         1 day 6 hours (training installation)" in shown.output
    assert CliRunner().invoke(main, ["clock", "forward"], obj=container).exit_code == 2
