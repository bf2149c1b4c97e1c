"""Vocabulary shared by several domains is defined once (portal.platform.core.choices)."""

import re
from pathlib import Path

from django.utils import translation

from portal.budgets.ledger import models as ledger
from portal.budgets.people import models as people
from portal.marketplace.catalogue import models as catalogue
from portal.platform.core.choices import Language, TargetGroup

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def test_a_person_a_budget_rate_and_a_service_use_the_same_target_groups():
    assert people.TargetGroup is ledger.TargetGroup is catalogue.TargetGroup is TargetGroup
    with translation.override("en"):
        assert str(TargetGroup.CHILDREN.label) == "Children with functional impairments"  # a group: plural


def test_a_persons_and_a_providers_staffs_languages_are_one_list():
    person_languages = people.Person._meta.get_field("preferred_language").choices
    staff_languages = catalogue.Provider._meta.get_field("languages").base_field.choices
    assert person_languages == staff_languages == Language.choices


def test_no_module_defines_its_own_copy():
    defined = [(path.relative_to(PORTAL).as_posix(), name)
               for path in PORTAL.rglob("*.py") if "migrations" not in path.parts
               for name in re.findall(r"^class (\w*(?:TargetGroup|Language))\(models\.TextChoices\)",
                                      path.read_text(), re.M)]
    assert defined == [("platform/core/choices.py", "TargetGroup"), ("platform/core/choices.py", "Language")]
