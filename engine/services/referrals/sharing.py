"""What a provider receives of a person's data: the one rule pages, API, PDF and notifications go through.

The pathway declares it in pathway.yaml (`engine.pathways.sharing`, pathways/README.md).

When a referral is sent, the fields of the consent's scope for its sector are recorded on it
(`shared_fields`) and in the case's history; a provider then reads exactly those, and only until
`provider_access_after_closure` after the referral was closed, and no longer once it is revoked
(consent withdrawn) or expired (the provider never answered). A pathway that declares no sharing
shares nothing personal.

`engine.services.referrals.view.show_referral` is the one reader: the API uses it; a provider's
referral page or PDF must call it too (none existed when this rule was written). Notifications carry
no personal field at all (see notifications/), so nothing there needs the rule.
"""

from __future__ import annotations

from datetime import datetime

from typing import TYPE_CHECKING, Any

from engine.access import Actor, can_view_person
from engine.domain import ReferralState
from engine.pathways.sharing import SharingRule, rule_of
from engine.services.pathways.metadata import derived_from_metadata
from engine.store.models import ReferralRow

if TYPE_CHECKING:
    from engine.runtime.human_tasks import HumanTask
    from engine.services.cases.step import Step


def sharing_rule(session, pathway_version_id: int) -> SharingRule:
    """The sharing rule of a published pathway version."""
    return derived_from_metadata(session, pathway_version_id, rule_of)


# A revoked referral lost the consent (or the caseworker's decision) that let the data go out, and an
# expired one was never taken up by its provider: the grace after closure is for a provider who worked
# on the referral, and these providers must stop using the data at once.
ACCESS_ENDS_AT_ONCE = frozenset({ReferralState.REVOKED, ReferralState.EXPIRED})


def provider_access_ended(referral: ReferralRow, rule: SharingRule, now: datetime) -> bool:
    """Whether the provider's access to the referral's personal data has ended: at once when it was
    revoked or expired, else when it was closed long enough ago."""
    if referral.state in ACCESS_ENDS_AT_ONCE:
        return True
    return referral.closed_at is not None and now >= referral.closed_at + rule.access_after_closure


def readable_task_data(step: Step, actor: Actor, task: HumanTask) -> dict[str, Any]:
    """What of the case's data a task's page may show its reader (read-only values, values carried into fields).

    The case's own staff read it all; anyone else, such as a provider's focal point doing a task of
    the Provider lane, only the fields the task's referral shared, while the provider's access lasts.
    """
    if can_view_person(actor, step.case):
        return task.data
    from engine.services.cases.sync import referral_for_instance

    referral = referral_for_instance(step, task.instance, task.data)
    if referral is None or provider_access_ended(referral, sharing_rule(step.session, step.case.pathway_version_id), step.now):
        return {}
    shared = set(referral.shared_fields or [])
    return {name: value for name, value in task.data.items() if name in shared}
