"""Words for the codes a notification may carry (priority, outcome, reason), in each language."""

from __future__ import annotations

CODE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
        "priority": {"emergency": "urgence vitale", "urgent": "urgente", "normal": "normale"},
        "outcome": {"delivered": "service fourni", "not_delivered": "service non fourni"},
        "reason": {
            "needs_met": "besoins couverts",
            "unreachable": "personne injoignable",
            "consent_withdrawn": "consentement retiré",
            "transferred": "transféré vers un autre mécanisme",
            "deceased": "décès",
            "no_capacity": "capacité insuffisante",
            "not_eligible": "critères d'éligibilité non remplis",
            "out_of_area": "hors de la zone couverte",
            "service_unavailable": "service indisponible",
            "other": "autre motif",
        },
    },
    "en": {
        "priority": {"emergency": "emergency", "urgent": "urgent", "normal": "normal"},
        "outcome": {"delivered": "service delivered", "not_delivered": "service not delivered"},
        "reason": {
            "needs_met": "needs met",
            "unreachable": "person unreachable",
            "consent_withdrawn": "consent withdrawn",
            "transferred": "transferred to another mechanism",
            "deceased": "deceased",
            "no_capacity": "no capacity",
            "not_eligible": "not eligible",
            "out_of_area": "outside the area served",
            "service_unavailable": "service unavailable",
            "other": "other reason",
        },
    },
}


def code_label(language: str, kind: str, code: str | None) -> str:
    """The word for a code in a language; an unknown code is shown as it is (it is never free text)."""
    if code is None:
        return ""
    return CODE_LABELS[language][kind].get(code, code.replace("_", " "))
