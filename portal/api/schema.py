"""The OpenAPI schema's one place for error answers: every operation documents the error envelope rendered by
``portal.api.errors.exception_handler`` (and by the middleware that answers API requests before a view runs) for
every error status it can give. Views document their success answers only.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.fields import empty


class ErrorOut(serializers.Serializer):
    """``{"code", "detail", "field"?, "errors"?}``: the same shape for every 4xx answer of the API."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_found`, "
                                           "`permission_denied`, `not_authenticated`, `throttled`, `bad_input`.")
    detail = serializers.CharField(help_text="A sentence for people, in the request's language.")
    field = serializers.CharField(required=False, allow_null=True,
                                  help_text="The input field the error is about, when there is one.")
    errors = serializers.JSONField(required=False, help_text="All problems: for invalid input an object of "
                                   "field → messages; for a refused CSV or batch a list of "
                                   "`{row, field, code, detail}`.")


# Status → when it is answered. 409 only where the operation changes something, 415 where it reads a body.
ERROR_STATUSES = {
    "400": "The input was refused (validation, an unknown filter value, a character that is not allowed).",
    "401": "The session ended after a time without activity: sign in again.",
    "403": "Not signed in, not allowed for your role, or the second sign-in step is still owed.",
    "404": "Not found, or not visible to you (also a page number past the end).",
    "409": "Refused in the object's current state.",
    "415": "The body is not in a media type the operation reads.",
    "429": "Too many requests: wait and try again.",
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH")


# JSON Schema's "time" format is RFC 3339's full-time, with an offset; the API reads and writes a local time.
LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _local_time(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("format") == "time":
            del schema["format"]
            schema["pattern"] = LOCAL_TIME
        for value in schema.values():
            _local_time(value)
    elif isinstance(schema, list):
        for value in schema:
            _local_time(value)


class PortalAutoSchema(AutoSchema):
    """Adds the error envelope to every operation's responses (an operation's own description of a status wins).

    A response field whose default is None is nullable.
    A time of day is documented by its pattern (``HH:MM[:SS]``), not as ``format: time``, which needs an offset.
    A serializer with ``additional_properties = False`` is documented as closed (``additionalProperties: false``),
    so that one of several shapes (``oneOf``) is told from the others by its fields.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField):
            _local_time(schema)
        return schema

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True  # DRF answers the default, null, when the source (e.g. ``actor.email``) is None
        return meta

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if getattr(serializer, "additional_properties", True) is False:
            schema["additionalProperties"] = False
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERROR_STATUSES.items():
            if (status in responses or (status == "409" and self.method in SAFE_METHODS)
                    or (status == "415" and self.method not in BODY_METHODS)):
                continue
            response = self._get_response_for_code(ErrorOut, status, direction=direction)
            response["description"] = description
            responses[status] = response
        return responses
