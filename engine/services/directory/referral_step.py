"""The directory at the send-referral step: the need as the pathway declares it, the ranked providers,
and the check of the caseworker's choice.

The send step (`aiguillage.referral = send`) names, in its properties, the fields of the case that
carry what matching reads (field ids are the pathway's, never the engine's):

    aiguillage.match.language          field with the person's language (a directory language id)
    aiguillage.match.age               field with the person's age in years
    aiguillage.match.sex               field with the person's sex (female, male; anything else: unknown)
    aiguillage.match.target_groups     "field:group, field:group": true boolean fields put the person in a group
    aiguillage.match.unsigned_provider refuse (default) | no_personal_data
    aiguillage.match.reason_field      the form field holding why a provider failing a hard rule was chosen
                                       (default provider_choice_reason)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from engine import field_problems as problem
from engine.domain import ReferralState
from engine.errors import InvalidData
from engine.field_problems import FieldProblem
from engine.pathways.step_fields import SendFields
from engine.runtime.human_tasks import HumanTask
from engine.pathways.need_fields import NeedFields
from engine.services.directory.matching import (
    REFUSE_UNSIGNED,
    UNSIGNED_MODES,
    Matching,
    Need,
    ProviderChoice,
    match_providers,
)

MATCH_PREFIX = "aiguillage.match."
DEFAULT_REASON_FIELD = "provider_choice_reason"
MAX_REASON = 1000
ENDED_UNANSWERED = frozenset({ReferralState.EXPIRED, ReferralState.REVOKED})
ANSWERED_NO = frozenset({ReferralState.DECLINED, ReferralState.REDIRECTED})


def need_of_task(task: HumanTask, needs: NeedFields, region: str | None, referrals: Iterable = ()) -> Need | None:
    """The need of a send-referral task (its branch's {sector, urgency}, under the names `needs` gives them) and
    what the pathway says of the person; `referrals`: the case's, whose ended ones tell which providers the need
    moved on from."""
    need = needs.need_of(task.instance, task.data)
    if need is None:
        return None
    props = task.properties
    data = task.data or {}

    def value(name: str):
        source = props.get(MATCH_PREFIX + name)
        return data.get(source) if source else None

    age = value("age")
    groups = None
    if props.get(MATCH_PREFIX + "target_groups"):
        groups = frozenset(group for source, group in target_group_fields(props) if data.get(source) is True)
    mode = props.get(MATCH_PREFIX + "unsigned_provider", REFUSE_UNSIGNED)
    return Need(
        sector=str(need["sector"]),
        region=region,
        priority=need.get("urgency") if isinstance(need.get("urgency"), str) else None,
        language=value("language") if isinstance(value("language"), str) else None,
        age=age if isinstance(age, int) and not isinstance(age, bool) else None,
        sex=value("sex") if isinstance(value("sex"), str) else None,
        target_groups=groups,
        unsigned_provider=mode if mode in UNSIGNED_MODES else REFUSE_UNSIGNED,
        ended_before=_providers_of(task, needs, referrals, ENDED_UNANSWERED),
        declined_before=_providers_of(task, needs, referrals, ANSWERED_NO),
    )


def _providers_of(task: HumanTask, needs: NeedFields, referrals: Iterable, states: frozenset) -> frozenset[int]:
    # The providers of the branch's referrals that ended in one of these states.
    key = needs.branch_key(task.instance, task.data)
    return frozenset(r.provider_organisation_id for r in referrals
                     if key is not None and r.instance_key == key and r.state in states
                     and r.provider_organisation_id is not None)


def target_group_fields(props: dict[str, str]) -> list[tuple[str, str]]:
    """The (field, target group) pairs of `aiguillage.match.target_groups`."""
    pairs = []
    for item in (props.get(MATCH_PREFIX + "target_groups") or "").split(","):
        source, _, group = item.strip().partition(":")
        if source and group.strip():
            pairs.append((source.strip(), group.strip()))
    return pairs


def rank_for_task(session, task: HumanTask, needs: NeedFields, region: str | None, today: date,
                  referrals: Iterable = ()) -> Matching | None:
    """The ranked providers for a send-referral task (None for any other task); `referrals`: the case's."""
    need = need_of_task(task, needs, region, referrals)
    return None if need is None else match_providers(session, need, today)


def check_choice(session, task: HumanTask, need: Need, provider, data: dict, today: date) -> tuple[ProviderChoice, str | None]:
    """The chosen provider as matched, and the reason given for a hard rule it fails; InvalidData when
    it does not offer the sector, or fails a hard rule and no reason is given."""
    matching = match_providers(session, need, today, organisation_id=provider.id)
    if not matching.providers:
        where = f" in {need.region}" if need.region else ""
        raise InvalidData(
            f"{provider.name} does not offer {need.sector}",
            {SendFields.declared(task.properties).provider: [FieldProblem("provider_not_offering", f"does not offer {need.sector}{where}",
                                          sector=need.sector, region=need.region)]},
        )
    choice = matching.providers[0]
    field = task.properties.get(MATCH_PREFIX + "reason_field", DEFAULT_REASON_FIELD)
    reason = data.get(field)
    reason = reason.strip()[:MAX_REASON] if isinstance(reason, str) else ""
    hard = [f for f in choice.failures if f.code != "agreements_missing"]
    if hard and not reason:
        failed = "; ".join(f.text for f in hard)
        raise InvalidData(
            f"{provider.name} fails a rule of the directory ({failed}): say why you choose it",
            {field: [problem.required(f"required to choose a provider that fails a rule: {failed}")]},
        )
    return choice, (reason or None)
