"""Human case references: MNR-<year>-<number>, unique even when many caseworkers open at once."""

from __future__ import annotations

import threading

from engine.store.unit_of_work import UnitOfWork


def test_references_count_up_per_year(uow):
    with uow() as u:
        first, second = u.cases.next_reference(2026), u.cases.next_reference(2026)
        other_year = u.cases.next_reference(2027)
        u.commit()
    assert (first, second, other_year) == ("MNR-2026-000001", "MNR-2026-000002", "MNR-2027-000001")


def test_a_rolled_back_opening_gives_its_number_back(uow):
    with uow() as u:
        u.cases.next_reference(2026)
    with uow() as u:
        assert u.cases.next_reference(2026) == "MNR-2026-000001"


def test_concurrent_openers_never_share_a_reference(container):
    references: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_cases() -> None:
        try:
            start.wait()
            for _ in range(25):
                with UnitOfWork(container.session_factory) as u:
                    references.append(u.cases.next_reference(2026))
                    u.commit()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=open_cases) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(references) == len(set(references)) == 200
    assert max(references) == "MNR-2026-000200"
