"""Rows the store tests build on: an organisation, a published version, a case."""

from __future__ import annotations

import pytest

from engine.domain import OrganisationKind
from engine.store.models import CaseRow, Organisation, PathwayVersionRow


@pytest.fixture
def make_case(uow, clock):
    """Creates and commits a case (with its organisation and pathway version); returns its id."""

    def make() -> int:
        with uow() as u:
            organisation = u.session.scalar(Organisation.__table__.select().limit(1))
            if organisation is None:
                u.session.add(
                    Organisation(
                        slug="iom-cameroon",
                        name="IOM Cameroon",
                        kind=OrganisationKind.IOM,
                        created_at=clock.now(),
                    )
                )
                u.session.add(
                    PathwayVersionRow(
                        pathway_id="test",
                        version=1,
                        content_hash="0" * 64,
                        main_file="pathway.bpmn",
                        published_at=clock.now(),
                    )
                )
                u.flush()
            organisation_id = u.session.query(Organisation.id).scalar()
            version_id = u.session.query(PathwayVersionRow.id).scalar()
            case = u.cases.add(
                CaseRow(
                    reference=u.cases.next_reference(clock.now().year),
                    pathway_version_id=version_id,
                    organisation_id=organisation_id,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                    workflow_json="{}",
                    serializer_version="test",
                )
            )
            u.commit()
            return case.id

    return make
