"""Timer events that read the time from our clock and their text through the safe evaluator.

SpiffWorkflow's own timer definitions read the wall clock and `eval` their text. These subclasses
take "now" from ``workflow.script_engine.clock`` (so tests and scenarios drive time with a
ManualClock), evaluate the text with ``script_engine.evaluate_timer`` (bare ``PT72H``, quoted text,
variables, ``${var}``), and count working days (``script_engine.calendar``) when the timer element
carries ``<camunda:property name="aiguillage.calendar" value="working-days"/>``.

A timer fires when the clock reaches its due time (due <= now). The due time is stored as ISO text
in ``task.internal_data["event_value"]`` as Spiff does, so ``wf.waiting_events()`` and the
serializer see it. A timer whose text cannot be evaluated does not raise inside the engine: it
records ``internal_data["timer_error"]`` and `engine.runtime.case_runtime.advance` turns the task
into an ERROR with that message.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from engine.expressions.cron import is_cron, parse_cron

CALENDAR_PROPERTY = "aiguillage.calendar"
WORKING_DAYS = "working-days"
TIMER_ERROR = "timer_error"

# Dates written without an offset are Cameroon local time, not the server's.
LOCAL_ZONE = ZoneInfo("Africa/Douala")


class TimerTextError(ValueError):
    """A timer's text did not give an ISO 8601 date, duration or cycle."""


def now_of(my_task) -> datetime:
    """The current time according to the workflow's script engine clock."""
    engine = my_task.workflow.script_engine
    clock = getattr(engine, "clock", None)
    if clock is None:
        raise TimerTextError(
            "the workflow has no clock: attach a SafeScriptEngine (engine.runtime.script_engine) after loading it"
        )
    return clock.now().astimezone(timezone.utc)


def working_calendar_of(my_task):
    """The engine's working calendar if this timer counts working days, else None."""
    properties = (getattr(my_task.task_spec, "extensions", None) or {}).get("properties") or {}
    if properties.get(CALENDAR_PROPERTY) != WORKING_DAYS:
        return None
    engine = my_task.workflow.script_engine
    calendar = engine.working_calendar() if hasattr(engine, "working_calendar") else None
    if calendar is None:
        raise TimerTextError("this timer counts working days but the script engine has no working calendar")
    return calendar


def timer_text(my_task, expression: str) -> str:
    """Evaluate the timer's expression to ISO 8601 text."""
    engine = my_task.workflow.script_engine
    if not hasattr(engine, "evaluate_timer"):
        raise TimerTextError(
            "the workflow's script engine cannot evaluate timers safely: attach a SafeScriptEngine after loading it"
        )
    text = engine.evaluate_timer(my_task, expression)
    if not isinstance(text, str) or not text.strip():
        raise TimerTextError(f"timer {expression!r} gave {text!r}, not ISO 8601 text")
    return text.strip()


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time (or date) as an aware UTC datetime; naive means Cameroon local time."""
    try:
        if "W" in text.upper() and not text.upper().startswith("P"):
            moment = TimerEventDefinition.parse_iso_week(text)
        else:
            moment = datetime.fromisoformat(text)
    except (ValueError, AttributeError, TypeError) as error:
        raise TimerTextError(f'"{text}" is not an ISO 8601 date-time') from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(timezone.utc)


def add_duration(start: datetime, text: str, calendar=None) -> datetime:
    """`start` + the ISO 8601 duration `text`, in working days when a calendar is given."""
    if calendar is not None:
        return calendar.add(start, text).astimezone(timezone.utc)
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except Exception as error:  # Spiff raises a bare Exception('Invalid duration')
        raise TimerTextError(f'"{text}" is not an ISO 8601 duration') from error


def _is_duration(text: str) -> bool:
    return text.upper().startswith("P")


def _record_failure(my_task, expression: str, error: Exception) -> bool:
    message = str(getattr(error, "message", None) or error)
    my_task.internal_data[TIMER_ERROR] = f'timer "{expression}": {message}'
    return False


class _OneShotTimer:
    """Shared by date and duration timers: the due time is computed once, then compared to now."""

    def has_fired(self, my_task):
        if TIMER_ERROR in my_task.internal_data:
            return False
        try:
            event_value = my_task._get_internal_data("event_value")
            if event_value is None:
                event_value = self.due_at(my_task, timer_text(my_task, self.expression)).isoformat()
                my_task._set_internal_data(event_value=event_value)
            if parse_moment(event_value) <= now_of(my_task):
                my_task._set_internal_data(event_fired=True)
        except Exception as error:
            return _record_failure(my_task, self.expression, error)
        return my_task._get_internal_data("event_fired", False)

    def due_at(self, my_task, text: str) -> datetime:
        """When the timer fires, from its evaluated text and the moment it is reached."""
        return add_duration(now_of(my_task), text, working_calendar_of(my_task))


class ClockTimeDateEventDefinition(_OneShotTimer, TimeDateEventDefinition):
    """A timer at a date and time (``timeDate``)."""

    def due_at(self, my_task, text: str) -> datetime:
        if _is_duration(text):
            # Camunda users sometimes put a duration in timeDate; treat it as one.
            return super().due_at(my_task, text)
        return parse_moment(text)


class ClockDurationTimerEventDefinition(_OneShotTimer, DurationTimerEventDefinition):
    """A timer after a duration (``timeDuration``), counted from when the timer is reached."""


class ClockCycleTimerEventDefinition(CycleTimerEventDefinition):
    """A repeating timer (``timeCycle``, e.g. ``R3/P1D``): fires each period, the first one period
    after it is reached (or at the start date given in the text)."""

    def cycle_complete(self, my_task):
        if TIMER_ERROR in my_task.internal_data:
            return False
        try:
            return self._cycle_complete(my_task)
        except Exception as error:
            return _record_failure(my_task, self.expression, error)

    def _cycle_complete(self, my_task):
        now = now_of(my_task)
        calendar = working_calendar_of(my_task)
        event_value = my_task._get_internal_data("event_value")
        if event_value is None and is_cron(self.expression):
            # Camunda 7's Quartz cycles, read in the installation's time zone.
            first = parse_cron(self.expression.strip()).next_after(now.astimezone(LOCAL_ZONE))
            event_value = {"cycles": -1, "next": first.astimezone(timezone.utc).isoformat(), "cron": self.expression.strip()}
        if event_value is None:
            event_value = self._first_cycle(timer_text(my_task, self.expression), now, calendar)

        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event <= now:
                if "cron" in event_value:
                    schedule = parse_cron(event_value["cron"])
                    following = schedule.next_after(max(next_event, now).astimezone(LOCAL_ZONE)).astimezone(timezone.utc)
                elif calendar is not None:
                    following = add_duration(next_event, event_value["period"], calendar)
                else:
                    following = next_event + timedelta(seconds=event_value["duration"])
                event_value["next"] = following.isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False

        my_task._set_internal_data(event_value=event_value)
        return ready

    @staticmethod
    def _first_cycle(text: str, now: datetime, calendar) -> dict:
        parts = text.strip().upper().replace("--", "/").split("/")
        if len(parts) not in (2, 3) or not parts[0].startswith("R"):
            raise TimerTextError(f'"{text}" is not an ISO 8601 repeating interval such as R3/P1D')
        count = parts[0][1:]
        if count and not count.isdigit():
            raise TimerTextError(f'"{text}": the repeat count "{count}" is not a number')
        cycles = int(count) if count else -1
        if len(parts) == 2:
            period = parts[1]
            start = add_duration(now, period, calendar)
        elif _is_duration(parts[2]) and not _is_duration(parts[1]):
            # R/<start>/<period>
            period = parts[2]
            start = parse_moment(parts[1])
        elif _is_duration(parts[1]) and not _is_duration(parts[2]):
            # R/<period>/<end>: the last repetition ends at <end>
            period = parts[1]
            end = parse_moment(parts[2])
            step = add_duration(end, period) - end
            start = end - step
        else:
            raise TimerTextError(f'"{text}" must combine one date and one duration')
        duration = (add_duration(start, period) - start).total_seconds()
        if duration <= 0:
            raise TimerTextError(f'"{text}": the period must be longer than zero')
        return {"cycles": cycles, "next": start.isoformat(), "duration": duration, "period": period}


# Spiff's definition class -> ours (used by the parser and the serializer configuration).
CLOCK_TIMERS = {
    TimeDateEventDefinition: ClockTimeDateEventDefinition,
    DurationTimerEventDefinition: ClockDurationTimerEventDefinition,
    CycleTimerEventDefinition: ClockCycleTimerEventDefinition,
}
