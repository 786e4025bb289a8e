"""The outbox dispatcher: expand events into deliveries, claim the due ones, send, record once.

Each pass works in short transactions, so it can run beside the web application on SQLite and
in several processes on PostgreSQL:

1. expand (`notifications.expansion`): outbox rows not yet dispatched become one delivery per
   recipient and channel (unique on outbox, recipient, channel: expanding twice creates nothing new);
2. claim (`notifications.claiming`): due deliveries are taken with `FOR UPDATE SKIP LOCKED` on
   PostgreSQL (one runner at a time on SQLite), their attempt counter raised and their next
   attempt pushed past a lease;
3. send (`notifications.sending`), outside any transaction;
4. record (`notifications.outcomes`): each outcome is written only if the attempt counter is
   still the one claimed, so a dispatcher whose lease ran out cannot overwrite a newer attempt.
   A sent delivery is never claimed again; a failure is retried with exponential backoff and
   jitter, and dead-lettered after the configured number of attempts or at once when the
   receiver refused it for good.

Each pass beats in `notification_dispatchers` between batches, and every claim names its
dispatcher. A dispatcher whose beat is older than `DEAD_AFTER` died: the first pass of any other
dispatcher after that puts its claims back in the queue, instead of waiting for the lease. A
process that dies between sending and recording therefore sends again at that pass, with the same
Message-ID (and webhook delivery id), so receivers can drop the duplicate.

A pass is bounded: at most `max_rows` outbox rows and deliveries, and no new batch after
`max_seconds`; what is left waits for the next pass, so passes never pile up behind a backlog.

A task offered to whole groups (nobody in particular) is one in-app delivery for the group, not
one per member, and email only to the members who chose group-task email (daily digest unless
they asked for it at once). A "new task" whose task was done or taken before it went out is
skipped; the person whose own step created it is never told.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

from engine.clock import Clock
from engine.errors import Conflict
from engine.store.unit_of_work import UnitOfWork
# DEAD_AFTER and the underscored steps are named here too: tests drive a pass step by step.
from notifications.claiming import DEAD_AFTER  # noqa: F401
from notifications.claiming import beat as _beat
from notifications.claiming import claim as _claim
from notifications.claiming import release_claims_of_dead_dispatchers, stop_beating
from notifications.expansion import expand as _expand
from notifications.outcomes import record_with_retries
from notifications.sending import Channels, deliver, prepare

log = logging.getLogger(__name__)

# A pass stops starting batches after this long (real time), below the scheduler's 30-second
# interval, and takes at most this many rows; the rest waits for the next pass.
MAX_PASS_SECONDS = 20.0
MAX_PASS_ROWS = 2000


@dataclass
class DispatchReport:
    """What one dispatch pass did, for logs and the CLI."""

    worker_id: str
    events_expanded: int = 0
    deliveries_created: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0  # "new task" deliveries whose task was done or taken before they went out
    released: int = 0  # claims of dead dispatchers put back in the queue
    lost_claims: int = 0  # outcomes not recorded because the claim had passed to another attempt
    bounded: bool = False  # the pass stopped at its time or row limit; the rest waits
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.worker_id}: {self.events_expanded} events expanded into {self.deliveries_created} deliveries; "
            f"{self.sent} sent, {self.retrying} to retry, {self.dead} dead-lettered"
            + (f", {self.skipped} skipped (task already done or taken)" if self.skipped else "")
            + (f", {self.released} claims of dead dispatchers released" if self.released else "")
            + (f", {self.lost_claims} claims lost" if self.lost_claims else "")
            + ("; stopped at the pass limit" if self.bounded else "")
        )


def default_worker_id() -> str:
    """A name no other pass shares: host, process and a random part (process ids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def dispatch_pending(
    uow_factory: Callable[[], UnitOfWork],
    channels: Channels,
    clock: Clock,
    batch_size: int = 100,
    worker_id: str | None = None,
    rng: random.Random | None = None,
    max_batches: int = 1000,
    max_rows: int = MAX_PASS_ROWS,
    max_seconds: float = MAX_PASS_SECONDS,
) -> DispatchReport:
    """Expand new outbox rows, then send due deliveries batch by batch, within the pass's limits."""
    report = DispatchReport(worker_id=worker_id or default_worker_id())
    rng = rng or random.Random()
    deadline = time.monotonic() + max_seconds

    def within_limits(rows: int) -> bool:
        if rows >= max_rows or time.monotonic() >= deadline:
            report.bounded = True
            return False
        return True

    try:
        try:
            _beat(uow_factory, report.worker_id, clock.now())
            report.released = release_claims_of_dead_dispatchers(uow_factory, clock.now())
        except Conflict:
            return report  # another runner holds the SQLite database: this pass has nothing to do
        for _ in range(max_batches):
            if not within_limits(report.events_expanded):
                break
            try:
                taken = _expand(uow_factory, channels, clock.now(), min(batch_size, max_rows - report.events_expanded), report)
            except Conflict:
                break  # another runner wrote at the same moment (SQLite); the rows wait for the next pass
            if taken < batch_size:
                break
        with channels.email.keeping_connection() if channels.email is not None else nullcontext():
            _send_batches(uow_factory, channels, clock, batch_size, max_batches, max_rows, within_limits, rng, report)
    finally:
        stop_beating(uow_factory, report.worker_id)
    if report.events_expanded or report.sent or report.retrying or report.dead or report.released:
        log.info("notification dispatch %s", report)
    return report


def _send_batches(uow_factory, channels, clock, batch_size, max_batches, max_rows, within_limits, rng, report) -> None:
    """Claim, render, send and record batch after batch; one batch goes out while the next is claimed and rendered.

    A batch is recorded only after it was sent, and before its claims could lapse, as without the
    overlap: the sending thread only waits on the network while this one works on the database.
    """
    handled = 0
    in_flight = None  # (claimed, future outcomes)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify-send") as sender:
        try:
            for _ in range(max_batches):
                claimed, stale_only = [], False
                if within_limits(handled):
                    skipped_before = report.skipped
                    try:
                        claimed = _claim(uow_factory, channels.settings, clock.now(),
                                         min(batch_size, max_rows - handled), report)
                    except Conflict:
                        claimed = []
                    handled += len(claimed) + report.skipped - skipped_before
                    stale_only = not claimed and report.skipped > skipped_before
                prepared = prepare(claimed, channels, clock.now()) if claimed else None
                done = None
                if in_flight is not None:
                    done = (in_flight[0], in_flight[1].result())
                    in_flight = None
                if prepared is not None:
                    in_flight = (claimed, sender.submit(deliver, prepared, channels, clock.now()))
                if done is not None:  # recorded while the next batch goes out
                    record_with_retries(uow_factory, *done, channels.settings, clock.now(), rng, report)
                if prepared is None and not stale_only:
                    break
        finally:
            if in_flight is not None:  # an error above: what went out is still recorded
                record_with_retries(uow_factory, in_flight[0], in_flight[1].result(), channels.settings,
                                     clock.now(), rng, report)
