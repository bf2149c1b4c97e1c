"""Catalogue changes → search documents, after the commit (see ``indexing.schedule``)."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.marketplace.catalogue.models import Location, Provider, Service, ServiceType

from .indexing import schedule


def _service_changed(sender, instance, **kwargs):
    schedule(service_ids=[instance.pk])


def _provider_changed(sender, instance, **kwargs):
    schedule(provider_ids=[instance.pk])


def _location_changed(sender, instance, **kwargs):
    schedule(provider_ids=[instance.provider_id])


def _service_type_changed(sender, instance, **kwargs):
    schedule(service_ids=list(Service.objects.filter(service_type=instance).values_list("pk", flat=True)))


def _locations_linked(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Service):
        schedule(service_ids=[instance.pk])
    else:  # changed from the location's side
        schedule(provider_ids=[instance.provider_id])


def connect():
    uid = "search-index"
    post_save.connect(_service_changed, sender=Service, dispatch_uid=f"{uid}-service-save")
    post_delete.connect(_service_changed, sender=Service, dispatch_uid=f"{uid}-service-delete")
    post_save.connect(_provider_changed, sender=Provider, dispatch_uid=f"{uid}-provider-save")
    post_save.connect(_location_changed, sender=Location, dispatch_uid=f"{uid}-location-save")
    post_delete.connect(_location_changed, sender=Location, dispatch_uid=f"{uid}-location-delete")
    post_save.connect(_service_type_changed, sender=ServiceType, dispatch_uid=f"{uid}-type-save")
    m2m_changed.connect(_locations_linked, sender=Service.locations.through, dispatch_uid=f"{uid}-locations")
