"""Every API error has the same shape: {"code": "<stable code>", "detail": "...", "field"?: "..."}."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.platform.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        field, messages = next(iter(response.data.items()))
        message = messages[0] if isinstance(messages, list) and messages else messages
        response.data = {"code": "invalid", "detail": str(message),
                         "field": None if field == "non_field_errors" else field, "errors": response.data}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "detail": str(exc.detail)}
    if response.status_code == status.HTTP_404_NOT_FOUND:
        response.data["code"] = "not_found"
    return response
