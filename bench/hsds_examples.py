"""The official HSDS 3.0 examples through the directory: import, export, import again.

    .venv/bin/python bench/hsds_examples.py SPECIFICATION [--sector mhpss] [--postgres postgresql://...]

SPECIFICATION is a checkout of github.com/openreferral/specification (branch 3.0), never committed
here. Each example (the CSV folder with its datapackage.json, the tabular JSON, and the API's
service_full, organization_full, service_list and organization_list) is imported into an empty
directory, exported as JSON and as CSV tables, and each export imported into another empty directory.
The round trip holds when both exports of the second directory equal the first's, and importing the
export over the first directory changes nothing. Printed per example: what was read, what the import
listed as dropped (fields the directory has no place for), and whether the round trip holds.

The examples carry no aiguillage:sector attribute: their services take `--sector` (the example service
is a counselling service: mhpss). tests/fixtures/hsds/official-shape/ holds files of the same shape
with invented content, which the test suite round-trips on both databases.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.bootstrap import Settings, build  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.services.directory.exchange import export_files, import_directory  # noqa: E402
from engine.store.migrate import upgrade_database  # noqa: E402

EXAMPLES = ("csv", "tabular.json", "service_full.json", "organization_full.json", "service_list.json", "organization_list.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specification", type=Path, help="a checkout of openreferral/specification (3.0), or a folder "
                                                         "laid out as its examples/")
    parser.add_argument("--sector", default="mhpss", help="the sector of services without one (default: mhpss)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL: fresh databases are created there and dropped")
    args = parser.parse_args()
    # A checkout of the specification, or a folder laid out as its examples/ (tests/fixtures/hsds/official-shape).
    examples = args.specification / "examples" if (args.specification / "examples").is_dir() else args.specification
    if not (examples / "csv").is_dir():
        sys.exit(f"{args.specification}: no examples/csv folder: give a checkout of openreferral/specification")
    held = 0
    for name in EXAMPLES:
        source = examples / name
        if not source.exists():
            print(f"{name}: not in this checkout")
            continue
        held += round_trip(source, args.sector, args.postgres)
    print(f"round trip holds for {held} of {len(EXAMPLES)} examples (target: all)")


def round_trip(source: Path, sector: str, server: str | None) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with _directory(server, work / "first") as first, _directory(server, work / "second") as second, \
                _directory(server, work / "third") as third:
            report = import_directory(first.uow(), first.clock, source, default_sector=sector)
            label = source.name
            if not report.written:
                print(f"{label}: REFUSED")
                for problem in report.problems:
                    print(f"  {problem}")
                return False
            print(f"{label}: {len(report.organisations_created)} organization(s), {len(report.services_created)} service(s) read; "
                  f"{len(report.dropped)} dropped")
            for field, count in sorted(Counter(_field(line) for line in report.dropped).items()):
                print(f"  dropped {field}" + (f" (x{count})" if count > 1 else ""))
            export_files(first.uow(), work / "export.json", "json")
            export_files(first.uow(), work / "tables", "csv")
            results = {}
            for form, target, into in (("json", work / "export.json", second), ("csv", work / "tables", third)):
                results[form] = same_directory(first, into, target, work / f"back-{form}.json")
            print(f"  round trip: JSON {'holds' if results['json'] else 'FAILS'}, CSV {'holds' if results['csv'] else 'FAILS'}")
            return all(results.values())


def same_directory(first, second, export: Path, back: Path) -> bool:
    """Import `export` (of `first`) into the empty `second`, then `second`'s own export over `first`
    (a dry run): the same directory when the second import writes, drops and changes nothing."""
    again = import_directory(second.uow(), second.clock, export)
    export_files(second.uow(), back, "json")
    over = import_directory(first.uow(), first.clock, back, dry_run=True)
    changes = (over.services_created, over.services_updated, over.organisations_created, over.organisations_updated)
    same = again.written and not again.dropped and not over.problems and not any(changes)
    if not same:
        print(f"  {export.name}: problems {[str(p) for p in again.problems + over.problems][:5]}, dropped {again.dropped[:5]}, "
              f"changes {changes}")
    return same



def _field(line: str) -> str:
    # "service_full.json#/service_at_locations/0: location.addresses" -> "location.addresses"
    where, _, what = line.rpartition(": ")
    return what if where else line


class _directory:
    """An empty directory in a fresh database, dropped after use."""

    def __init__(self, server: str | None, folder: Path):
        self.server, self.folder = server, folder

    def __enter__(self):
        self.folder.mkdir(parents=True)
        clock = ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
        if self.server is None:
            url = f"sqlite:///{self.folder / 'directory.sqlite'}"
        else:
            self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
            self.name = f"aiguillage_hsds_{secrets.token_hex(4)}"
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            url = make_url(self.server).set(database=self.name).render_as_string(hide_password=False)
        self.container = build(Settings(database_url=url, instance_dir=self.folder / "instance"), clock=clock)
        upgrade_database(self.container.engine)
        return self.container

    def __exit__(self, *_):
        self.container.dispose()
        if self.server is not None:
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


if __name__ == "__main__":
    main()
