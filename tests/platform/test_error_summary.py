"""One error summary (GOV.UK pattern) on every form page: a single include, each problem linked to its field."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.template.loader import render_to_string

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "frontend" / "templates"
SUMMARY = "includes/error_summary.html"


def test_only_the_one_include_draws_an_error_summary():
    drawn = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
             if 'class="govuk-error-summary"' in p.read_text() and str(p.relative_to(TEMPLATES)) != SUMMARY]
    assert drawn == []


def test_every_page_with_a_post_form_of_fields_includes_the_summary():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text, name = path.read_text(), str(path.relative_to(TEMPLATES))
        if name.startswith(("includes/", "people/includes/")) or "/_" in name:
            continue
        if 'method="post"' in text and "field.html" in text and "{% for field in" in text and SUMMARY not in text:
            missing.append(name)
    assert missing == []


class _Form(forms.Form):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)


def test_each_problem_links_to_its_field_and_a_refusal_without_a_field_is_listed():
    form = _Form(data={})
    form.is_valid()
    form.add_error(None, "The whole form is wrong.")
    html = render_to_string(SUMMARY, {"form": form, "message": "The service refused."})
    assert html.count("<li>") == 5
    assert 'href="#id_name"' in html and 'href="#id_kind_0"' in html  # a radio group: its first option
    assert 'href="#id_token"' not in html and 'href="#"' not in html  # a hidden field has nothing to link to
    assert "The service refused." in html and "The whole form is wrong." in html
    assert render_to_string(SUMMARY, {"form": _Form()}).strip() == ""


def test_several_forms_each_name_their_row():
    first, second = _Form(data={"kind": "a", "token": "x"}), _Form(data={"name": "n", "kind": "a", "token": "x"})
    first.summary_label = "Psihologs"
    first.is_valid(), second.is_valid()
    html = render_to_string(SUMMARY, {"forms": [first, second]})
    assert "Psihologs: " in html and html.count("<li>") == 1
