from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Accounts are deactivated here, never deleted.

    A user is referenced from every municipality's schema (persons, relations, the append-only ledger, agreements,
    invoices): Django's delete collector looks for those tables in the public schema and failed with a 500
    (``people_relation`` does not exist), and the ledger must keep who acted. Untick "active" instead; erasure of
    a person's data follows the retention rules (docs/subsystems/privacy.md).
    """

    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    search_fields = ("email", "full_name")
    exclude = ("password",)
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False
