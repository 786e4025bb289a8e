"""Words for the codes a notification may carry (priority, outcome, reason, sector), in each language."""

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
            "acknowledgement_overdue": "accusé de réception en retard",
            "service_overdue": "service en retard",
            "task_overdue": "tâche en retard",
            "timer_passed": "délai écoulé",
            "follow_up_due": "suivi à faire",
        },
        "sector": {
            "health": "Santé",
            "mhpss": "Santé mentale et soutien psychosocial",
            "shelter": "Hébergement",
            "food_nfi": "Vivres et articles non alimentaires",
            "legal_documentation": "Assistance juridique et documents",
            "family_tracing": "Recherche et réunification familiales",
            "child_protection": "Protection de l'enfance",
            "education_training": "Éducation et formation",
            "economic_reintegration": "Réintégration économique",
            "cash": "Assistance monétaire",
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
            "acknowledgement_overdue": "acknowledgement overdue",
            "service_overdue": "service overdue",
            "task_overdue": "task overdue",
            "timer_passed": "time limit passed",
            "follow_up_due": "follow-up due",
        },
        "sector": {
            "health": "Health",
            "mhpss": "Mental health and psychosocial support",
            "shelter": "Shelter",
            "food_nfi": "Food and non-food items",
            "legal_documentation": "Legal aid and documentation",
            "family_tracing": "Family tracing and reunification",
            "child_protection": "Child protection",
            "education_training": "Education and training",
            "economic_reintegration": "Economic reintegration",
            "cash": "Cash assistance",
        },
    },
}


def code_label(language: str, kind: str, code: str | None) -> str:
    """The word for a code in a language; an unknown code is shown as it is (it is never free text)."""
    if code is None:
        return ""
    return CODE_LABELS[language][kind].get(code, code.replace("_", " "))
