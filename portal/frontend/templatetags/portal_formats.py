"""Numbers, percentages, long dates and periods in the page's language (portal.platform.core.formats).

{{ amount|number }} → "1 234,56" / "1,234.56"; {{ share|percent }} → "85 %" / "85%";
{{ day|longdate }} → "2026. gada 1. novembris", {{ day|longdate:"genitive" }} → "…novembra";
{{ start|period:end }} → "no 2026. gada 1. novembra līdz 2027. gada 31. oktobrim" / "1 November 2026 to 31 October 2027".
"""

from django import template

from portal.platform.core.formats import format_date, format_number, format_percent, format_period

register = template.Library()


@register.filter
def number(value, decimals=None):
    return format_number(value, decimals=None if decimals in (None, "") else int(decimals))


@register.filter
def percent(value, decimals=None):
    return format_percent(value, decimals=None if decimals in (None, "") else int(decimals))


@register.filter
def longdate(value, case="nominative"):
    return format_date(value, case=case)


@register.filter
def period(start, end):
    return format_period(start, end)
