"""API permissions delegate to the same checkpoints as the HTML pages."""

from rest_framework.permissions import BasePermission

from portal.tenants.access import is_member_here


class IsMemberHere(BasePermission):
    """The user holds a role on this host (a municipality's, or nationally on the national host).

    Views may narrow it with ``required_roles``.
    """

    message = "You hold no role here that allows this."

    def has_permission(self, request, view):
        return is_member_here(request.user, *(getattr(view, "required_roles", None) or ()))
