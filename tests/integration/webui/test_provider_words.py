"""The send-referral form says how far an out-of-region provider is, in the reader's language."""

from __future__ import annotations

from flask_babel import force_locale

from engine.services.directory.matching import Finding
from webui.tasks.provider_words import finding_words


def _out_of_region(distance):
    return Finding("out_of_region", "", {"region": "extreme_nord", "served": ["sud_ouest", "littoral"], "distance": distance})


def test_an_out_of_region_provider_is_said_so_many_regions_away_in_french_and_english(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert finding_words(_out_of_region(4)).endswith("à 4 régions de distance")
            assert finding_words(_out_of_region(1)).endswith("à 1 région de distance")
            assert "distance" not in finding_words(_out_of_region(None))
        with force_locale("en"):
            assert finding_words(_out_of_region(4)) == "Out of region: serves South-West, Littoral, 4 regions away"
            assert finding_words(_out_of_region(None)) == "Out of region: serves South-West, Littoral"
