"""The signed-in user's notifications and to-do list on this site."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

from django_tenants.utils import tenant_context
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.api.invoicing.views import provider_municipality
from portal.api.permissions import IsMemberHere
from portal.marketplace.agreements.access import agreement_for_user, capacity_for
from portal.marketplace.invoicing.access import agreement_for_provider
from portal.notifications.models import Notification
from portal.notifications.services import notification_mark_read
from portal.notifications.threads.services import (attachment_of, message_post, messages_of, thread_links,
                                                   thread_mark_read)
from portal.notifications.todo import todo_for
from portal.platform.core.uploads import attachment_response, upload_read
from portal.tenants.access import current_municipality
from portal.tenants.roles import Role

from . import serializers as s


class NotificationListView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.NotificationOut

    @extend_schema(operation_id="notifications_list", responses=s.NotificationOut(many=True),
                   parameters=[OpenApiParameter("unread", bool, description="only the unread")])
    def get(self, request):
        items = Notification.objects.filter(recipient=request.user)
        if request.query_params.get("unread") in ("1", "true"):
            items = items.filter(read_at__isnull=True)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(s.NotificationOut(page, many=True).data)


class NotificationReadView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.ReadIn

    @extend_schema(operation_id="notifications_mark_read", request=s.ReadIn,
                   responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}))
    def post(self, request):
        body = s.ReadIn(data=request.data)
        body.is_valid(raise_exception=True)
        marked = notification_mark_read(user=request.user, notification_id=body.validated_data.get("id"))
        return Response({"marked": marked})


class MessagesView(GenericAPIView):
    """The conversation on an agreement the user may see (municipality's site): read it, or write to it
    (multipart, with an optional attachment checked as every upload)."""

    permission_classes = [IsMemberHere]
    serializer_class = s.MessageOut
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def site(self, code=None):
        """The schema the conversation lives in: this municipality's (the provider's views enter it)."""
        return nullcontext(current_municipality())

    def agreement(self, request, agreement_id):
        return agreement_for_user(request.user, agreement_id)

    def capacity(self, request, agreement) -> str:
        return capacity_for(request.user, agreement) or ""

    @extend_schema(operation_id="messages_list", responses=s.MessageOut(many=True))
    def get(self, request, agreement_id, code=None):
        with self.site(code):
            agreement = self.agreement(request, agreement_id)
            thread_mark_read(agreement=agreement, user=request.user)
            page = self.paginate_queryset(messages_of(agreement))
            data = s.MessageOut(page, many=True, context={"agreement": agreement}).data
        return self.get_paginated_response(data)

    @extend_schema(operation_id="messages_create", request={"multipart/form-data": s.MessageIn},
                   responses={201: s.MessageOut})
    def post(self, request, agreement_id, code=None):
        body = s.MessageIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("attachment")
        with self.site(code) as municipality:
            agreement = self.agreement(request, agreement_id)
            link, provider_link = thread_links(agreement, municipality.code)
            message = message_post(agreement=agreement, actor=request.user, body=body.validated_data["body"],
                                   capacity=self.capacity(request, agreement), link=link, provider_link=provider_link,
                                   attachment=(upload.name, upload_read(upload)) if upload is not None else None)
            data = s.MessageOut(messages_of(agreement).get(pk=message.pk), context={"agreement": agreement}).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttachmentView(MessagesView):
    """An attachment of the conversation, as a download (audited as a read of the person's data)."""

    serializer_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(operation_id="messages_attachment_retrieve",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, agreement_id, attachment_id, code=None):
        with self.site(code):
            attachment = attachment_of(self.agreement(request, agreement_id), attachment_id)
            return attachment_response(content=attachment.content, content_type=attachment.content_type,
                                       file_name=attachment.file_name)


class _Provider:
    """The provider's staff on the national site, inside the municipality's schema named in the address."""

    required_roles = (Role.PROVIDER_STAFF,)

    def site(self, code=None):
        municipality = provider_municipality(code)
        return _entered(municipality)

    def agreement(self, request, agreement_id):
        return agreement_for_provider(request.user, agreement_id)

    def capacity(self, request, agreement) -> str:
        return "provider"


class ProviderMessagesView(_Provider, MessagesView):
    @extend_schema(operation_id="provider_messages_list", responses=s.MessageOut(many=True))
    def get(self, request, code, agreement_id):
        return super().get(request, agreement_id, code)

    @extend_schema(operation_id="provider_messages_create", request={"multipart/form-data": s.MessageIn},
                   responses={201: s.MessageOut})
    def post(self, request, code, agreement_id):
        return super().post(request, agreement_id, code)


class ProviderAttachmentView(_Provider, AttachmentView):
    @extend_schema(operation_id="provider_messages_attachment_retrieve",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, code, agreement_id, attachment_id):
        return super().get(request, agreement_id, attachment_id, code)


@contextmanager
def _entered(municipality):
    with tenant_context(municipality):
        yield municipality


class TodoView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.TodoOut
    pagination_class = None

    @extend_schema(operation_id="notifications_todo", responses=s.TodoOut(many=True))
    def get(self, request):
        rows = [{"role": role.value, "code": t.code, "count": t.count, "overdue": t.overdue, "since": t.since}
                for role, items in todo_for(request.user, current_municipality()).items() for t in items]
        return Response(s.TodoOut(rows, many=True).data)
