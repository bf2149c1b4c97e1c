from django.contrib import admin

from .models import SecurityKey


@admin.register(SecurityKey)
class SecurityKeyAdmin(admin.ModelAdmin):
    """Security keys (WebAuthn; ADR 0019): a platform administrator deletes a lost one, as with an app. Keys are
    added only by their owner in the browser, never here."""

    list_display = ("name", "user", "rp_id", "created_at", "last_used_at")
    search_fields = ("user__email", "name")
    readonly_fields = ("user", "name", "confirmed", "credential_id", "sign_count", "transports", "rp_id",
                       "created_at", "last_used_at")
    exclude = ("public_key",)

    def has_add_permission(self, request):
        return False
