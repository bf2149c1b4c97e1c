"""The search page's repeated parts — filter checkboxes with counts, results, status — drawn in Python.

Drawn by Django's template engine, these parts cost several times the search itself: the page has ~100 filter
options (each with a count, and again out-of-band on an htmx swap), 20 results of ~15 values each, and every
variable, ``{% translate %}`` and ``{% blocktranslate %}`` is a node resolved through the context
(docs/subsystems/search.md, "Page cost"). Here the fixed text of a language — labels, legends, option markup —
is built once per process and language (the choices and the catalogues do not change while it runs), and a
request only joins it with the values of its own results: the counts, what is ticked, the hits.

The markup is the page's own (GOV.UK checkboxes, summary lists, pagination); values are escaped as the
template engine would (``conditional_escape``), translations used as ``{% translate %}`` (escaped) or
``{% blocktranslate %}`` (the text trusted, the values escaped).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape as _escape

from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext, pgettext

from portal.platform.core.formats import format_number

# form field → facet name in the result
FACET_FIELDS = [("type", "service_type"), ("group", "target_group"), ("mode", "delivery_mode"),
                ("language", "language"), ("access", "accessibility")]
CHECKBOX_FIELDS = ("free", "cap", "budget")  # "Availability and price": present only where they apply
_ID = 987654321  # a service id that stands for every id in the reversed URL


def esc(value) -> str:
    """Escape as the template engine does: safe strings (``__html__``) as they are."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def _t(message: str) -> str:
    """``{% translate message %}``: translated and escaped."""
    return _escape(gettext(message))


@lru_cache(maxsize=4)
def _service_url_pattern(urlconf: str) -> tuple[str, str] | None:
    try:
        url = reverse("catalogue:service", args=[_ID], urlconf=urlconf)
    except NoReverseMatch:
        return None
    before, _, after = url.partition(str(_ID))
    return before, after


def service_url(service_id: int, urlconf: str | None = None) -> str | None:
    """The service page's address: reversed once per URL conf, not once per result."""
    from django.urls import get_urlconf

    from django.conf import settings

    pattern = _service_url_pattern(urlconf or get_urlconf() or settings.ROOT_URLCONF)
    return None if pattern is None else f"{pattern[0]}{service_id}{pattern[1]}"


# ---------------------------------------------------------------- the filter column
_OPTIONS: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {}


def _options(field) -> tuple[tuple[str, str, str], ...]:
    """(value, markup up to the checked mark, markup from it up to the count) of each option of a facet field:
    built once per process and language (the choices come from the code: the taxonomy and the models)."""
    key = (get_language() or "lv", field.name)
    options = _OPTIONS.get(key)
    if options is None:
        parts = []
        for index, (value, label) in enumerate(field.field.choices):
            option_id = f"id_{field.name}_{index}"
            parts.append((str(value),
                          f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" '
                          f'id="{option_id}" name="{field.name}" type="checkbox" value="{esc(value)}"',
                          f'><label class="govuk-label govuk-checkboxes__label" for="{option_id}">{esc(label)} '
                          f'<span id="count-{option_id}" class="portal-search__count"'))
        options = _OPTIONS[key] = tuple(parts)
    return options


def _chosen(form, name: str) -> set[str]:
    return set(form.data.getlist(name)) if hasattr(form.data, "getlist") else set()


def _count(count: int, results: str) -> str:
    return f'>({count}<span class="govuk-visually-hidden"> {results}</span>)</span>'


def facet_fieldsets(form, result) -> str:
    """The filter fieldsets of the facets: every option a checkbox with the number of current results."""
    facets = result.facets if result else {}
    results = _t("results")
    out = []
    for field_name, facet in FACET_FIELDS:
        field = form[field_name]
        chosen, counts = _chosen(form, field_name), facets.get(facet, {})
        boxes = "".join(f'{head}{" checked" if value in chosen else ""}{label}'
                        f'{_count(counts.get(value, 0), results)}</label></div>\n'
                        for value, head, label in _options(field))
        out.append(f'<div class="govuk-form-group">\n<fieldset class="govuk-fieldset">\n'
                   f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{esc(field.label)}</legend>\n'
                   f'<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
                   f'{boxes}</div>\n</fieldset>\n</div>\n')
    return "".join(out)


def facet_counts_oob(form, result) -> SafeString:
    """Every option's count again, for htmx to swap out of band beside the checkboxes it does not redraw."""
    facets = result.facets if result else {}
    results = _t("results")
    out = []
    for field_name, facet in FACET_FIELDS:
        counts = facets.get(facet, {})
        out.extend(f'<span id="count-id_{field_name}_{index}" class="portal-search__count" hx-swap-oob="true"'
                   f'{_count(counts.get(value, 0), results)}'
                   for index, (value, _head, _label)
                   in enumerate(_options(form[field_name])))
    return SafeString("".join(out))


def availability_fieldset(form) -> str:
    boxes = "".join(
        f'<div class="govuk-checkboxes__item">\n<input class="govuk-checkboxes__input" id="id_{name}" name="{name}" '
        f'type="checkbox" value="on"{" checked" if form[name].value() else ""}>\n'
        f'<label class="govuk-label govuk-checkboxes__label" for="id_{name}">{esc(form.fields[name].label)}</label>\n'
        f'</div>\n' for name in CHECKBOX_FIELDS if name in form.fields)
    return (f'<div class="govuk-form-group">\n<fieldset class="govuk-fieldset">\n'
            f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_t("Availability and price")}</legend>\n'
            f'<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
            f'{boxes}</div>\n</fieldset>\n</div>\n')


def _errors(field) -> str:
    return "".join(f'<p id="{field.auto_id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
                   f'{_t("Error:")}</span> {esc(error)}</p>' for error in field.errors)


def _attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: ``True`` as a bare attribute, ``False`` left out."""
    return "".join(f" {name}" if value is True else f' {name}="{esc(value)}"'
                   for name, value in attrs.items() if value is not False)


def input_field(field) -> str:
    """``includes/field.html`` for a one-line input (the age), with the widget's own attributes."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    hint = f'<div id="{field.auto_id}-hint" class="govuk-hint">{esc(field.help_text)}</div>\n' if field.help_text \
        else ""
    return (f'<div class="govuk-form-group{" govuk-form-group--error" if field.errors else ""}">\n'
            f'<label class="govuk-label" for="{field.id_for_label}">{esc(field.label)}</label>\n{hint}'
            f'{_errors(field)}\n'
            f'<input type="{widget.input_type}" name="{field.html_name}"'
            f'{"" if value is None else f" value={chr(34)}{esc(value)}{chr(34)}"}'
            f'{_attrs({**widget.attrs, "id": field.auto_id})}>\n</div>\n')


def select_field(field) -> str:
    """A select filter (sort, distance from) with the same markup as ``includes/field.html`` and Django's
    select widget."""
    errors = _errors(field)
    current = str(field.value() or "")
    options = "".join(f'<option value="{esc(value)}"{" selected" if str(value) == current else ""}>{esc(label)}'
                      f'</option>' for value, label in field.field.choices)
    described = f' aria-describedby="{field.auto_id}-error" aria-invalid="true"' if errors else ""
    return (f'<div class="govuk-form-group{" govuk-form-group--error" if errors else ""}">\n'
            f'<label class="govuk-label" for="{field.id_for_label}">{esc(field.label)}</label>\n{errors}'
            f'<select class="govuk-select{" govuk-select--error" if errors else ""}" name="{field.html_name}" '
            f'id="{field.auto_id}"{described}>{options}</select>\n</div>\n')


def municipality_details(form) -> str:
    """The national site's "Municipality served" checkboxes, folded."""
    label = esc(form["municipality"].label)
    chosen = _chosen(form, "municipality")
    boxes = "".join(
        f'<div class="govuk-checkboxes__item">\n<input class="govuk-checkboxes__input" id="id_municipality_{index}" '
        f'name="municipality" type="checkbox" value="{esc(value)}"{" checked" if value in chosen else ""}>\n'
        f'<label class="govuk-label govuk-checkboxes__label" for="id_municipality_{index}">{esc(name)}</label>\n'
        f'</div>\n' for index, (value, name) in enumerate(form.fields["municipality"].choices))
    return (f'<details class="govuk-details">\n<summary class="govuk-details__summary"><span '
            f'class="govuk-details__summary-text">{label}</span></summary>\n<div class="govuk-details__text">\n'
            f'<fieldset class="govuk-fieldset">\n<legend class="govuk-fieldset__legend govuk-visually-hidden">'
            f'{label}</legend>\n<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">\n'
            f'{boxes}</div>\n</fieldset>\n</div>\n</details>\n')


def filters(form, result, *, national: bool) -> SafeString:
    """Everything inside the folding "Filters" section above its button."""
    return SafeString(facet_fieldsets(form, result) + availability_fieldset(form) + input_field(form["age"])
                      + (municipality_details(form) if national else "")
                      + select_field(form["sort"]) + select_field(form["near"]))


# ---------------------------------------------------------------- status and results
def status(form, result) -> SafeString:
    """The live count above the results (also sent out of band on an htmx swap)."""
    if result:
        return SafeString(ngettext("%(n)s service found", "%(n)s services found", result.total)
                          % {"n": esc(localize(result.total))})
    return SafeString(_t("Correct the search to see services.") if form.errors else "")


def _price(hit) -> str:
    """A result's price per unit, and how it stands against the municipality's cap."""
    units = {"hour": pgettext("price per", "hour"), "session": pgettext("price per", "session"),
             "day": pgettext("price per", "day")}
    text = (gettext("%(price)s € per ") % {"price": esc(format_number(hit.unit_price, decimals=2))}
            + esc(units.get(hit.unit) or pgettext("price per", "course")))
    if hit.over_cap:
        return (f'{text}<br><strong class="govuk-tag govuk-tag--yellow">{_t("Above the price cap")}</strong> '
                + gettext("The cap is %(cap)s €; the price is %(diff)s € a unit more.")
                % {"diff": esc(format_number(hit.over_cap, decimals=2)), "cap": esc(format_number(hit.cap, decimals=2))})
    if hit.cap is not None:
        return (f'{text}<br><span class="govuk-body-s">'
                + gettext("Within the cap of %(cap)s €") % {"cap": esc(format_number(hit.cap, decimals=2))} + "</span>")
    return text


def _places(hit) -> str:
    if hit.is_full:
        waiting = (" " + ngettext("Waiting time: %(n)s week.", "Waiting time: %(n)s weeks.", hit.waiting_weeks)
                   % {"n": esc(localize(hit.waiting_weeks))}) if hit.waiting_weeks else ""
        return f'<strong class="govuk-tag govuk-tag--orange">{_t("Full")}</strong>{waiting}'
    if hit.free_places:
        return ngettext("%(n)s free place", "%(n)s free places", hit.free_places) % {"n": esc(localize(hit.free_places))}
    return _t("Ask the provider")


def _row(key: str, value: str) -> str:
    return (f'<div class="govuk-summary-list__row">\n<dt class="govuk-summary-list__key">{key}</dt>\n'
            f'<dd class="govuk-summary-list__value">{value}</dd>\n</div>\n')


def _hit(hit, english: bool, labels: dict[str, str]) -> str:
    title = esc(hit.title_en if english and hit.title_en else hit.title_lv)
    url = service_url(hit.service_id)
    where = ""
    if hit.place or hit.distance_km is not None:
        away = (" (" + gettext("%(km)s km away") % {"km": esc(format_number(hit.distance_km, decimals=1))} + ")"
                if hit.distance_km is not None else "")
        where = _row(labels["where"], f"{esc(hit.place)}{away}")
    return (f'<li class="portal-search__result">\n<h2 class="govuk-heading-m govuk-!-margin-bottom-1">'
            f'{f"<a class={chr(34)}govuk-link{chr(34)} href={chr(34)}{esc(url)}{chr(34)}>{title}</a>" if url else title}'
            f'</h2>\n<p class="govuk-body govuk-!-margin-bottom-1"><strong>{esc(hit.provider_name)}</strong> · '
            f'{esc(hit.service_type_name_en if english else hit.service_type_name_lv)}</p>\n'
            f'<p class="govuk-body-s">{esc(hit.summary_en if english and hit.summary_en else hit.summary_lv)}</p>\n'
            f'<dl class="govuk-summary-list govuk-summary-list--no-border portal-search__facts">\n'
            f'{_row(labels["price"], _price(hit))}{_row(labels["places"], _places(hit))}{where}</dl>\n</li>\n')


def _pagination(pages) -> str:
    if not pages:
        return ""
    page = _t("page")
    previous = (f'<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" '
                f'href="{esc(pages["previous"])}" rel="prev"><span class="govuk-pagination__link-title">'
                f'{_t("Previous")}<span class="govuk-visually-hidden"> {page}</span></span></a></div>\n'
                if pages["previous"] else "")
    following = (f'<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" '
                 f'href="{esc(pages["next"])}" rel="next"><span class="govuk-pagination__link-title">'
                 f'{_t("Next")}<span class="govuk-visually-hidden"> {page}</span></span></a></div>\n'
                 if pages["next"] else "")
    of = gettext("Page %(n)s of %(total)s") % {"n": esc(localize(pages["number"])),
                                                "total": esc(localize(pages["total"]))}
    return (f'<nav class="govuk-pagination" aria-label="{_t("Pages")}">\n{previous}'
            f'<p class="govuk-body govuk-!-margin-bottom-0">{of}</p>\n{following}</nav>\n')


def results(*, result, scope, pages, budget_unknown: bool, by_distance: bool) -> SafeString:
    """The results column: notices, the numbered list of services, the pages."""
    if not result:
        return SafeString("")
    out = []
    if result.relaxed:
        out.append(f'<div class="govuk-inset-text">'
                   f'{_t("No service matches every word, so services matching some of the words are shown.")}</div>\n')
    if budget_unknown:
        out.append(f'<div class="govuk-inset-text">'
                   f'{_t("Your remaining budget is not known yet, so this filter was not applied.")}</div>\n')
    if by_distance:
        text = (_t("Nearest first: distances are measured from your address.") if scope.origin_label == "home" else
                gettext("Nearest first: distances are measured from the centre of this place: %(place)s.")
                % {"place": esc(scope.origin_name)})
        out.append(f'<p class="govuk-body-s">{text}</p>\n')
    if not result.hits:
        out.append(f'<p class="govuk-body">{_t("No services match. Try fewer words or fewer filters.")}</p>\n')
    english = (get_language() or "lv").startswith("en")
    labels = {"price": _t("Price"), "places": _t("Places"), "where": _t("Where")}
    start = (result.page - 1) * result.per_page + 1
    out.append(f'<ol class="govuk-list portal-search__results" start="{start}">\n')
    out.extend(_hit(hit, english, labels) for hit in result.hits)
    out.append("</ol>\n")
    out.append(_pagination(pages))
    return SafeString("".join(out))
