"""Forms of the budget pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.budgets.ledger.methodology import LEVELS
from portal.budgets.ledger.models import TargetGroup
from portal.frontend.forms import GovukFormMixin


class MethodologyForm(GovukFormMixin, forms.Form):
    """Period bounds, the annual amount per target group and level, and the funding shares."""

    min_period_months = forms.IntegerField(label=_("Shortest plan period (months)"), min_value=1, max_value=24)
    max_period_months = forms.IntegerField(label=_("Longest plan period (months)"), min_value=1, max_value=24)

    def __init__(self, *args, methodology, rates, sources, **kwargs):
        initial = {"min_period_months": methodology.min_period_months,
                   "max_period_months": methodology.max_period_months}
        for group in TargetGroup:
            for level in LEVELS:
                initial[f"rate_{group.value}_{level}"] = rates.get((group.value, level))
        for source in sources:
            initial[f"funding_{source.code}"] = source.share_percent
        super_kwargs = {"initial": initial, **kwargs}
        self.sources = sources
        # Fields are added before the mixin styles them.
        self.base_fields = dict(self.base_fields)
        for group in TargetGroup:
            for level in LEVELS:
                self.base_fields[f"rate_{group.value}_{level}"] = forms.DecimalField(
                    label=_("%(group)s, level %(level)s: annual amount (EUR)") % {
                        "group": group.label, "level": level},
                    min_value=Decimal("0"), max_value=Decimal("1000000"), decimal_places=2, max_digits=10,
                    localize=False)
        for source in sources:
            self.base_fields[f"funding_{source.code}"] = forms.DecimalField(
                label=_("%(source)s: share (%%)") % {"source": source.name}, min_value=Decimal("0"),
                max_value=Decimal("100"), decimal_places=2, max_digits=5)
        super().__init__(*args, **super_kwargs)
        for name, field in self.fields.items():
            if name.startswith(("rate_", "funding_")):
                field.widget.attrs["class"] += " govuk-input--width-10"
                field.widget.attrs["inputmode"] = "decimal"
            else:
                field.widget.attrs["class"] += " govuk-input--width-3"

    def clean(self):
        data = super().clean()
        low, high = data.get("min_period_months"), data.get("max_period_months")
        if low and high and low > high:
            self.add_error("min_period_months", _("The shortest period cannot be longer than the longest."))
        shares = [data.get(f"funding_{s.code}") for s in self.sources]
        if all(share is not None for share in shares) and sum(shares) != Decimal("100"):
            self.add_error(f"funding_{self.sources[0].code}" if self.sources else None,
                           _("The funding shares must add up to 100 %."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "min_period_months": data["min_period_months"], "max_period_months": data["max_period_months"],
            "rates": {(g.value, lv): data[f"rate_{g.value}_{lv}"] for g in TargetGroup for lv in LEVELS},
            "funding": {s.code: data[f"funding_{s.code}"] for s in self.sources},
        }

    @property
    def error_fields(self) -> dict[str, str]:
        """Where a service's refusal shows: one about the funding shares as a whole, beside the first share."""
        return {"funding": f"funding_{self.sources[0].code}"} if self.sources else {}

    def rate_rows(self):
        """[(target group label, [bound field per level])] for the table."""
        return [(g.label, [self[f"rate_{g.value}_{lv}"] for lv in LEVELS]) for g in TargetGroup]

    def funding_rows(self):
        return [(s, self[f"funding_{s.code}"]) for s in self.sources]
