"""Vocabulary more than one domain shares, defined once.

A person belongs to a target group, a budget rate is set per target group and a
service says which target groups it is for; a person prefers a language and a
provider's staff speak languages. These sit here, below ``budgets`` and
``marketplace``, so each can use them without importing the other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """The two target groups of individual budgets, named as the domain names them (plural: a group)."""

    CHILDREN = "children", _("Children with functional impairments")
    ADULTS = "adults", _("Adults with mental disabilities")


class Language(models.TextChoices):
    """Languages a person may prefer and a provider's staff may speak."""

    LV = "lv", _("Latvian")
    RU = "ru", _("Russian")
    EN = "en", _("English")
    UK = "uk", _("Ukrainian")
    SGN = "sgn", _("Latvian sign language")
