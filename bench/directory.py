"""The service directory at scale: an HSDS import of many services, and matching at the referral step.

    .venv/bin/python bench/directory.py [--services 10000] [--matches 300] [--postgres postgresql://...]

- import: a generated HSDS 3.0 JSON file of N services (one per provider organisation of ten, every
  sector and region spread evenly, each with languages, regions, capacity, priorities and target
  groups) imported into an empty SQLite file (or a fresh PostgreSQL database): total time and per service.
- matching: `match_providers` for random needs (sector, region, priority, language, age, sex, groups)
  against those N services, as the referral form asks it: p50/p95/max per call. Target: p95 < 20 ms.
  Baseline, measured in the same run: reading the regions of every active service of the need's
  sector, which matching did before the service_areas index (the ratio is matching / baseline).
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.bootstrap import Settings, build  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.domain import Priority, Sector  # noqa: E402
from engine.services.directory.exchange import import_directory  # noqa: E402
from engine.services.directory.matching import Need, match_providers  # noqa: E402
from engine.services.directory.vocabulary import TARGET_GROUPS  # noqa: E402
from engine.store.models import Organisation, OrganisationService  # noqa: E402

REGIONS = ["adamaoua", "centre", "est", "extreme_nord", "littoral", "nord", "nord_ouest", "ouest", "sud", "sud_ouest"]
LANGUAGES = ["fr", "en", "ff", "wes", "ar"]
IMPORT_TARGET_PER_SERVICE_MS = 2.0
MATCH_TARGET_P95_MS = 20.0


def hsds_document(count: int, rng: random.Random) -> dict:
    """A generated directory of `count` services, ten per organisation."""
    sectors = [s.value for s in Sector]
    organizations, services = [], []
    for i in range(count):
        org = f"bench-org-{i // 10:05d}"
        if i % 10 == 0:
            organizations.append({"id": org, "name": f"Bench provider {i // 10}", "attributes": [
                _attribute(org, "aiguillage:agreement", "mou"), _attribute(org, "aiguillage:agreement", "data_sharing")]})
        sid = f"bench-service-{i:06d}"
        attributes = [_attribute(sid, "aiguillage:sector", sectors[i % len(sectors)])]
        attributes += [_attribute(sid, "aiguillage:priority", p.value, "72") for p in Priority if rng.random() < 0.8]
        if rng.random() < 0.2:
            attributes.append(_attribute(sid, "aiguillage:target_group", rng.choice(TARGET_GROUPS)))
        services.append({
            "id": sid, "organization_id": org, "name": f"Service {i}", "status": "active",
            "minimum_age": rng.choice([None, None, 0, 18]), "assured_date": "2026-01-15",
            "languages": [{"code": code} for code in rng.sample(LANGUAGES, 2)],
            "service_areas": [{"name": region} for region in rng.sample(REGIONS, 2)],
            "capacities": [{"maximum": 50, "available": rng.randint(0, 20)}],
            "attributes": attributes,
        })
    return {"organizations": organizations, "services": services}


def _attribute(link: str, taxonomy: str, code: str, value: str | None = None) -> dict:
    return {"id": f"{link}-{code}", "link_id": link, "value": value,
            "taxonomy_term": {"id": f"{taxonomy}:{code}", "code": code, "taxonomy": taxonomy}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--matches", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: a fresh database is created there and dropped")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "directory.json"
        path.write_text(json.dumps(hsds_document(args.services, rng)), encoding="utf-8")
        url, cleanup = _database(args.postgres, Path(folder))
        try:
            _run(url, path, args, rng, Path(folder))
        finally:
            cleanup()


def _run(url: str, path: Path, args, rng: random.Random, folder: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
    container = build(Settings(database_url=url, instance_dir=folder / "instance"), clock=clock)
    from engine.store.migrate import upgrade_database

    upgrade_database(container.engine)
    started = time.perf_counter()
    report = import_directory(container.uow(), clock, path)
    elapsed = time.perf_counter() - started
    assert report.written and len(report.services_created) == args.services, report.problems[:5]
    per_service = elapsed * 1000 / args.services
    print(f"import: {args.services} services in {elapsed:.2f} s, {per_service:.3f} ms per service "
          f"(target < {IMPORT_TARGET_PER_SERVICE_MS} ms) on {make_url(url).get_backend_name()}")
    timings, baseline = [], []
    sizes = []
    with container.uow() as uow:
        for _ in range(args.matches):
            need = Need(sector=rng.choice(list(Sector)).value, region=rng.choice(REGIONS), priority=rng.choice(list(Priority)).value,
                        language=rng.choice(["french", "english", "fulfulde"]), age=rng.randint(5, 60),
                        sex=rng.choice(["female", "male"]), target_groups=frozenset({rng.choice(TARGET_GROUPS)}))
            started = time.perf_counter()
            matching = match_providers(uow.session, need, date(2026, 3, 2))
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(matching.providers))
            started = time.perf_counter()
            uow.session.execute(
                select(OrganisationService.id, OrganisationService.regions, Organisation.regions)
                .join(Organisation, OrganisationService.organisation_id == Organisation.id)
                .where(OrganisationService.sector == Sector(need.sector), OrganisationService.active.is_(True),
                       Organisation.is_provider.is_(True))).all()
            baseline.append((time.perf_counter() - started) * 1000)
    timings.sort()
    baseline.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    base_p95 = baseline[int(len(baseline) * 0.95) - 1]
    print(f"matching: {args.matches} needs against {args.services} services ({statistics.mean(sizes):.0f} providers ranked per need): "
          f"p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms "
          f"(target p95 < {MATCH_TARGET_P95_MS} ms: {'met' if p95 < MATCH_TARGET_P95_MS else 'NOT met'})")
    print(f"baseline (read every service of the sector): p50 {statistics.median(baseline):.2f} ms, p95 {base_p95:.2f} ms; "
          f"matching p95 / baseline p95 = {p95 / base_p95:.2f}")
    container.dispose()


def _database(server: str | None, folder: Path):
    if server is None:
        return f"sqlite:///{folder / 'bench.sqlite'}", lambda: None
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"aiguillage_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
