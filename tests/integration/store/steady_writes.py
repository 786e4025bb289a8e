"""Another connection committing small writes in a loop, as a busy web application does beside a request or a job.

On SQLite a transaction that reads and then writes fails (SQLITE_BUSY_SNAPSHOT) when another
connection committed between its first read and its first write: whatever runs beside these writes
must take the write lock first, or it fails where nothing conflicts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import update

from engine.bootstrap import Settings, build
from engine.store.models import User


@dataclass
class Writes:
    count: int = 0
    failures: list[str] = field(default_factory=list)


@contextmanager
def steady_writes(database_url: str, instance_dir, clock, user_id: int) -> Iterator[Writes]:
    """Rename user `user_id` about every millisecond, on a connection of its own, while the block runs."""
    other = build(Settings(database_url=database_url, instance_dir=instance_dir), clock=clock)
    writes, stop = Writes(), threading.Event()

    def write():
        try:
            while not stop.is_set():
                with other.uow() as u:
                    u.session.execute(update(User).where(User.id == user_id).values(display_name=f"Renamed {writes.count}"))
                    u.commit()
                writes.count += 1
                time.sleep(0.001)
        except Exception as error:  # reported by the caller's assertions
            writes.failures.append(repr(error))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        yield writes
    finally:
        stop.set()
        writer.join(timeout=60)
        other.dispose()
