"""A sweeping process for the multi-process tests: `python -m tests.integration.deadlines.sweeper URL NOW WORKER`.

Prints its report as one JSON line. `--pause` makes each case step wait before its commit, so a
test can kill the process in the middle of a sweep.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime

from engine.bootstrap import Settings, build
from engine.clock import ManualClock
from engine.services.escalations.deadlines import sweep_deadlines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("now", type=datetime.fromisoformat)
    parser.add_argument("worker")
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args()
    container = build(Settings(database_url=args.database_url), clock=ManualClock(args.now))
    hook = (lambda step: time.sleep(args.pause)) if args.pause else None
    report = sweep_deadlines(container.uow, container.clock, args.worker, batch_size=args.batch_size, hook=hook)
    print(json.dumps({"worker": args.worker, "claimed": report.claimed, "cases": report.cases,
                      "escalations": report.escalations, "conflicts": report.conflicts, "failures": report.failures}))
    container.dispose()


if __name__ == "__main__":
    main()
