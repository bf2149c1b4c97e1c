"""Reads of personal data, noticed in one place.

Every model that holds a person's data is registered here with the way to its person
(``personal_data(Person, via=None)``, ``personal_data(Budget)``, ``personal_data(Session, via="agreement")``).
While a request is being answered, every instance of those models loaded from the database is noted
(``post_init``: it runs for every row a query turns into an object, whatever view, serializer or template
asked for it). At the end of the request the project's ``PersonalReadAuditMiddleware`` writes one audit row
per schema naming the persons whose data was read (``portal/platform/read_audit.py``).

A view cannot forget to audit, and a new view reading a registered model is audited without a line of its
own. Reads outside a request (workers, the CLI) are not noted: there is no one reading.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core import serializers
from django.db import connection
from django.db.models.signals import post_init


@dataclass(frozen=True)
class Kind:
    label: str  # "ledger.budget"
    via: str | None  # the foreign key towards the person (None: the model is the person)
    attname: str | None  # its column ("person_id")

    def parent(self, model):
        """The model one step closer to the person (None when this step reaches the person)."""
        if self.via is None:
            return None
        target = model._meta.get_field(self.via).related_model
        return None if _KINDS[target].via is None else target


@dataclass
class SchemaReads:
    objects: dict[str, set] = field(default_factory=dict)  # label → primary keys
    links: dict[type, dict] = field(default_factory=dict)  # model → {pk: id of the next step towards the person}
    person_users: dict = field(default_factory=dict)  # person id → its own user id (when loaded)


_KINDS: dict[type, Kind] = {}
_reads: ContextVar[dict[str, SchemaReads] | None] = ContextVar("personal_reads", default=None)


def personal_data(model, *, via: str | None = "person") -> None:
    """Register ``model`` as holding a person's data. ``via``: the foreign key leading to the person or to
    another registered model closer to it (``None`` for the person model itself)."""
    attname = model._meta.get_field(via).attname if via else None
    _KINDS[model] = Kind(label=model._meta.label_lower, via=via, attname=attname)
    post_init.connect(_noticed, sender=model, weak=False, dispatch_uid=f"personal-read-{model._meta.label_lower}")


def personal_models() -> dict[type, Kind]:
    return dict(_KINDS)


def _noticed(sender, instance, **kwargs):
    reads = _reads.get()
    if reads is None:
        return
    values = instance.__dict__  # never touch a deferred field: that would be a query
    pk = values.get(sender._meta.pk.attname)
    if pk is None:
        return
    kind = _KINDS[sender]
    schema = reads.setdefault(connection.schema_name, SchemaReads())
    schema.objects.setdefault(kind.label, set()).add(pk)
    if kind.via is None:
        schema.links.setdefault(sender, {})[pk] = pk
        if "user_id" in values:
            schema.person_users[pk] = values["user_id"]
    elif values.get(kind.attname) is not None:
        schema.links.setdefault(sender, {})[pk] = values[kind.attname]


def start() -> object:
    """Begin noticing reads (for this request); returns the token ``stop`` needs."""
    return _reads.set({})


def stop(token) -> dict[str, SchemaReads]:
    """Stop noticing; the reads noticed since ``start``, per schema."""
    reads = _reads.get() or {}
    _reads.reset(token)
    return reads


def persons_read(schema: SchemaReads) -> set:
    """The ids of the persons whose data was read. Call it inside the schema: a step not loaded during the
    request (a session whose agreement was never loaded) costs one query per model."""
    persons: set = set()
    pending: dict[type, set] = {}
    for model, links in schema.links.items():
        parent = _KINDS[model].parent(model)
        for target in links.values():
            if parent is None:
                persons.add(target)
            else:
                pending.setdefault(parent, set()).add(target)
    while pending:
        model, ids = pending.popitem()
        kind = _KINDS[model]
        parent = kind.parent(model)
        known = schema.links.get(model, {})
        found = {pk: known[pk] for pk in ids if pk in known}
        missing = ids - found.keys()
        if missing:
            found.update(model._default_manager.filter(pk__in=missing).values_list("pk", kind.attname))
        for target in found.values():
            if target is None:
                continue
            if parent is None:
                persons.add(target)
            else:
                pending.setdefault(parent, set()).add(target)
    return persons


def person_lookup(model) -> str:
    """The ORM lookup from ``model`` to its person's id ("budget__person" for a ledger entry; "pk" for the
    person model)."""
    path, step = [], model
    while _KINDS[step].via is not None:
        path.append(_KINDS[step].via)
        step = step._meta.get_field(_KINDS[step].via).related_model
    return "__".join(path) or "pk"


def everything_about(person_id: int) -> dict:
    """Everything the current schema holds about the person (GDPR art. 15 and 20), record type by record type:
    every registered personal model, so a model registered tomorrow is exported tomorrow. Call it inside the
    municipality's schema."""
    records = {}
    for model in _KINDS:
        rows = model._default_manager.filter(**{person_lookup(model): person_id}).order_by("pk")
        records[model._meta.label_lower] = [
            {"id": item["pk"], **item["fields"]} for item in serializers.serialize("python", rows)]
    return records
