"""Who qualifies for an individual budget (seed 002, "Projekta mērķa grupa").

Adults with mental disabilities qualify only with a severe or very severe disability set by the State
Medical Commission (VDEĀVK): group I or II. Group III (moderate) does not. Children qualify with any
disability the commission set. Registration refuses an adult in group III; the assessment and the plan
check again, so a person registered before this rule (or changed since) gets the same clear refusal.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import NotEligible
from .models import DisabilityGroup, TargetGroup

ELIGIBLE_ADULT_GROUPS = (DisabilityGroup.GROUP_1, DisabilityGroup.GROUP_2)


def not_eligible_message() -> str:
    return _("An adult qualifies for an individual budget only with a severe or very severe disability "
             "(group I or II). A group III (moderate) disability does not qualify.")


def check_adult_group(target_group: str, disability_group: str) -> None:
    """Raise NotEligible for an adult with a group III disability."""
    if target_group == TargetGroup.ADULTS and disability_group == DisabilityGroup.GROUP_3:
        raise NotEligible(not_eligible_message(), field="disability_group")


def require_eligible(person) -> None:
    """Raise NotEligible when ``person`` does not (or no longer) qualify: before an assessment or a plan."""
    check_adult_group(person.target_group, person.disability_group)
