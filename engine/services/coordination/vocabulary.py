"""The words of the indicator pages: which pathway versions, regions and providers exist, and value labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from engine.services.coordination.facts import VULNERABILITY, declared_fields
from engine.services.coordination.live_diagram import version_title
from engine.services.pathways.labels import PathwayTexts, pathway_texts
from engine.services.pathways.metadata import case_fields
from engine.store.models import CaseRow, Organisation, PathwayVersionRow
from engine.store.unit_of_work import UnitOfWork

@dataclass(frozen=True)
class IndicatorVocabulary:
    """What the filters offer, and how a row's code reads in one language."""

    texts: PathwayTexts | None
    fields: dict[str, str]  # dimension -> the form field its values come from
    providers: dict[int, str]
    versions: list[tuple[int, str]]
    regions: list[str] = field(default_factory=list)
    organisations: dict[int, str] = field(default_factory=dict)
    # Case facts the engine keeps in columns, and the form fields the version reads them from (as its
    # `case_fields:` and its decide steps name them): the first that words a code gives its label.
    fact_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def value(self, dimension: str, code) -> str | None:
        """The pathway's label of a dimension's code (None when the pathway does not word it)."""
        if self.texts is None:
            return None
        if dimension == VULNERABILITY:  # its codes are the ids of the fields that ask for each one
            label = self.texts.labels.field(str(code))
            return label if label != str(code) else None
        field_ids = (self.fields[dimension],) if dimension in self.fields else self.fact_fields.get(dimension, ())
        labels = (self.texts.labels.value(field_id, str(code)) for field_id in field_ids)
        return next((label for label in labels if label != str(code)), None)


def indicator_vocabulary(uow: UnitOfWork, language: str, version_id: int | None = None) -> IndicatorVocabulary:
    """Versions, regions and providers to filter by, and the labels of the chosen (or latest) version."""
    with uow:
        session = uow.session
        versions = session.execute(
            select(PathwayVersionRow.id, PathwayVersionRow.pathway_id, PathwayVersionRow.version, PathwayVersionRow.title)
            .order_by(PathwayVersionRow.pathway_id, PathwayVersionRow.version)
        ).all()
        providers = dict(session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.is_provider.is_(True)).order_by(Organisation.name)
        ).all())
        organisations = dict(session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all())
        regions = sorted(r for (r,) in session.execute(select(CaseRow.region).distinct()) if r)
        chosen = version_id if any(v.id == version_id for v in versions) else (versions[-1].id if versions else None)
        texts = pathway_texts(uow, chosen, language) if chosen is not None else None
        fields = declared_fields(texts.labels.source.files) if texts is not None else {}
        fact_fields = {} if texts is None else {
            "region": (case_fields(session, chosen).region,), "decline_reason": texts.decline_reason_fields}
    return IndicatorVocabulary(
        texts=texts,
        fields=fields,
        providers=providers,
        versions=[(v.id, f"{version_title(v.title, v.pathway_id, language)} v{v.version}") for v in versions],
        regions=regions,
        organisations=organisations,
        fact_fields=fact_fields,
    )
