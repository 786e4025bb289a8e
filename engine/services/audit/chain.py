"""The audit log as a hash chain: each sealed row carries sha256(previous link + its own content).

Writers never wait for the chain: a step appends its audit row exactly as before (a plain INSERT,
prepared once, see engine.store.case_records), unsealed. The sealer (`seal_audit_log`, run by the
scheduler every minute and by `aiguillage audit seal`) then takes the unsealed rows in id order and
gives each the next place in the chain (`chain_seq`) and its hash, under a lock on the chain's
head row (`audit_chain_head`, `SELECT ... FOR UPDATE` on PostgreSQL, the write lock on SQLite): two
sealers in two processes take turns, and the chain has one order, the order of sealing. A row that
commits late, below ids already sealed, is simply sealed by the next run.

`verify_audit_chain` walks the chain by `chain_seq` and recomputes every hash: an edited row breaks
its own link, a deleted row leaves a gap, rows cut from the end no longer reach the head. Rows not
sealed yet are counted, not judged. What the chain cannot show is a row appended by someone with
write access to the database who then seals it: the head's hash, copied elsewhere from time to
time (`aiguillage audit verify` prints it), bounds that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.store.models import AuditChainHead, AuditEntry
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

GENESIS = "0" * 64  # the hash before the first link
SEAL_BATCH = 5000
_audit = AuditEntry.__table__
# The columns a link covers, in this order (the chain's own columns excepted).
LINKED_COLUMNS = ("id", "at", "user_id", "action", "object_type", "object_id", "case_id", "ip", "user_agent", "details")


def link_hash(previous: str, seq: int, row) -> str:
    """The hash of one link: the previous link's hash, the row's place in the chain, and its content."""
    content = [seq, *(_plain(getattr(row, name)) for name in LINKED_COLUMNS)]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((previous + text).encode("utf-8", "surrogatepass")).hexdigest()


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def seal_audit_log(uow: UnitOfWork, clock: Clock, batch: int = SEAL_BATCH) -> int:
    """Chain the audit rows not sealed yet (at most `batch`, oldest first); how many were sealed."""
    with uow:
        lock_for_writing(uow)
        head = _locked_head(uow)
        rows = uow.session.execute(
            select(*(_audit.c[name] for name in LINKED_COLUMNS))
            .where(_audit.c.chain_seq.is_(None)).order_by(_audit.c.id).limit(batch)
        ).all()
        if not rows:
            return 0
        links, seq, previous = [], head.seq, head.hash
        for row in rows:
            seq += 1
            previous = link_hash(previous, seq, row)
            links.append({"row_id": row.id, "seq": seq, "hash": previous})
        uow.session.connection().execute(
            update(_audit).where(_audit.c.id == bindparam("row_id"))
            .values(chain_seq=bindparam("seq"), chain_hash=bindparam("hash")),
            links,
        )
        head.seq, head.hash, head.sealed_at = seq, previous, clock.now()
        uow.commit()
        return len(links)


def _locked_head(uow: UnitOfWork) -> AuditChainHead:
    statement = select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    head = uow.session.scalars(statement).one_or_none()
    if head is None:
        # The first sealer of a database starts the chain; a second one racing it finds the row taken.
        try:
            with uow.session.begin_nested():
                uow.session.add(AuditChainHead(id=1, seq=0, hash=GENESIS))
        except IntegrityError:
            pass
        head = uow.session.scalars(statement).one()
    return head


@dataclass(frozen=True)
class ChainReport:
    """What a verification found: links checked, the first broken one (if any), rows not sealed yet."""

    checked: int
    unsealed: int
    head_seq: int
    head_hash: str
    broken_at_seq: int | None = None
    broken_row_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_audit_chain(uow: UnitOfWork, batch: int = SEAL_BATCH) -> ChainReport:
    """Recompute every link of the chain in order; the report names the first broken one."""
    with uow:
        head = uow.session.get(AuditChainHead, 1)
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
        unsealed = uow.session.scalar(select(func.count()).select_from(_audit).where(_audit.c.chain_seq.is_(None)))
        report = {"unsealed": unsealed or 0, "head_seq": head_seq, "head_hash": head_hash}
        expected, previous, checked = 1, GENESIS, 0
        while True:
            rows = uow.session.execute(
                select(_audit.c.chain_seq, _audit.c.chain_hash, *(_audit.c[name] for name in LINKED_COLUMNS))
                .where(_audit.c.chain_seq >= expected).order_by(_audit.c.chain_seq).limit(batch)
            ).all()
            for row in rows:
                if row.chain_seq != expected:
                    return ChainReport(checked, **report, broken_at_seq=expected, broken_row_id=None,
                                       problem=f"link {expected} is missing: a sealed row was deleted")
                link = link_hash(previous, expected, row)
                if link != row.chain_hash:
                    return ChainReport(checked, **report, broken_at_seq=expected, broken_row_id=row.id,
                                       problem=f"link {expected} (audit row {row.id}) does not match its content: the row was changed")
                previous, expected, checked = link, expected + 1, checked + 1
            if len(rows) < batch:
                break
        if (checked, previous) != (head_seq, head_hash):
            return ChainReport(checked, **report, broken_at_seq=checked + 1,
                               problem=f"the chain ends at link {checked} but its head says {head_seq}: sealed rows were removed")
        return ChainReport(checked, **report)
