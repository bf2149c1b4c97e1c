"""`portal manage expire_agreements`: expire requests providers did not answer in time, in every municipality."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import get_tenant_model, tenant_context

from portal.marketplace.agreements.services import agreements_expire


class Command(BaseCommand):
    help = "Expire agreement requests whose provider did not answer by the municipality's deadline."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="only this municipality's code")

    def handle(self, *args, **options):
        municipalities = get_tenant_model().objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        if options.get("municipality"):
            municipalities = municipalities.filter(code=options["municipality"])
        total = 0
        for municipality in municipalities.order_by("code"):
            with tenant_context(municipality):
                count = agreements_expire()
            total += count
            if count:
                self.stdout.write(f"{municipality.code}: {count} expired")
        self.stdout.write(f"{total} agreement request(s) expired")
