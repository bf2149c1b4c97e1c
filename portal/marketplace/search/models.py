"""The search document: one denormalised row per catalogue service (public schema).

Built from ``catalogue.Service`` and its provider, type and locations by
``search.indexing`` after every committed change, so a search reads one table
and renders its results without touching the catalogue tables.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


# The document's array columns, and which of them each multi-valued facet counts (both search paths).
ARRAY_COLUMNS = ("target_groups", "delivery_modes", "languages", "municipalities", "accessibility")
FACET_COLUMNS = (("target_group", "target_groups"), ("delivery_mode", "delivery_modes"),
                 ("language", "languages"), ("accessibility", "accessibility"))


class SearchDocument(models.Model):
    service_id = models.BigIntegerField(primary_key=True)
    # Listed = the service is active and its provider verified (what the national site shows).
    is_listed = models.BooleanField(default=False)
    provider_id = models.BigIntegerField(db_index=True)
    provider_name = models.CharField(max_length=200)
    provider_slug = models.CharField(max_length=80)
    service_type_code = models.CharField(max_length=50)
    service_type_name_lv = models.CharField(max_length=150)
    service_type_name_en = models.CharField(max_length=150)
    title_lv = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    summary_lv = models.CharField(max_length=300, blank=True)
    summary_en = models.CharField(max_length=300, blank=True)
    target_groups = ArrayField(models.CharField(max_length=10), default=list)
    min_age = models.PositiveSmallIntegerField(null=True)
    max_age = models.PositiveSmallIntegerField(null=True)
    delivery_modes = ArrayField(models.CharField(max_length=10), default=list)
    languages = ArrayField(models.CharField(max_length=3), default=list)
    municipalities = ArrayField(models.CharField(max_length=30), default=list)
    accessibility = ArrayField(models.CharField(max_length=30), default=list)
    unit = models.CharField(max_length=10)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    free_places = models.PositiveIntegerField(null=True)
    waiting_weeks = models.PositiveSmallIntegerField(null=True)
    has_free_places = models.BooleanField(default=False)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    place = models.CharField(max_length=250, blank=True)
    # Folded title words (ranking, Elasticsearch); the stems are in the weighted tsvector.
    search_title = models.TextField(default="")
    search_vector = SearchVectorField(null=True)
    modified_at = models.DateTimeField()
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            GinIndex(fields=["search_vector"], name="search_doc_vector"),
            GinIndex(fields=["municipalities"], name="search_doc_munis"),
            models.Index(fields=["is_listed", "service_type_code"], name="search_doc_listed_type"),
            models.Index(fields=["unit_price"], name="search_doc_price"),
            models.Index(fields=["modified_at"], name="search_doc_modified"),
        ]

    def __str__(self):
        return f"{self.service_id}: {self.title_lv}"


class SearchTerm(models.Model):
    """The catalogue's vocabulary: every folded word of the documents and its stem.

    Small (thousands of rows) and trigram-indexed, so a misspelt query word
    finds its closest real words quickly; the search then uses their stems.
    Only grows; a word no document has any more simply matches nothing.
    """

    word = models.CharField(max_length=60, primary_key=True)
    stem = models.CharField(max_length=60)

    class Meta:
        indexes = [GinIndex(fields=["word"], name="search_term_word_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.word
