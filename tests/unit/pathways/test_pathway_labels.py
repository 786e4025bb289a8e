"""Labels: the diagram's own texts in its language, i18n files for the others."""

from __future__ import annotations

import pytest

from engine.pathways.folder import load_source
from engine.pathways.labels import Labels
from pathway_fixtures import MINI


LABELS = {
    # The diagram's own language comes from the diagram, the others from i18n/<lang>.yaml.
    "fr": ("Évaluer les besoins", "Noter les besoins de la personne.", "Niveau de risque", "Élevé", "Référencement minimal"),
    "en": ("Assess needs", "Record the person's needs.", "Risk level", "High", "Minimal referral"),
}


@pytest.mark.parametrize("language", sorted(LABELS))
def test_labels_of_each_declared_language(language: str):
    labels = Labels(load_source(MINI), language)
    found = (labels.element("Task_Assess"), labels.documentation("Task_Assess"), labels.field("risk_level"),
             labels.value("risk_level", "high"), labels.title)
    assert found == LABELS[language]


def test_unknown_ids_fall_back_to_the_default_or_the_id():
    labels = Labels(load_source(MINI), "en")
    assert labels.element("Nowhere") is None
    assert labels.element("Nowhere", default="?") == "?"
    assert labels.field("unknown_field") == "unknown_field"


def test_lone_file_labels_are_its_own():
    labels = Labels(load_source(MINI / "pathway.bpmn"), "en")
    assert labels.element("Task_Refer") == "Référer vers un prestataire"
    assert labels.title == "Référencement minimal"
