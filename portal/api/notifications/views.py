"""The signed-in user's notifications and to-do list on this site."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.marketplace.agreements.access import agreement_for_user, capacity_for
from portal.notifications.models import Notification
from portal.notifications.services import notification_mark_read
from portal.notifications.threads.services import (attachment_of, message_post, messages_of, thread_links,
                                                   thread_mark_read)
from portal.notifications.todo import todo_for
from portal.platform.core.uploads import attachment_response, upload_read
from portal.tenants.access import current_municipality

from . import serializers as s


class NotificationListView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.NotificationOut

    @extend_schema(operation_id="notifications_list",
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

    @extend_schema(operation_id="messages_list", responses=s.MessageOut(many=True))
    def get(self, request, agreement_id):
        agreement = agreement_for_user(request.user, agreement_id)
        thread_mark_read(agreement=agreement, user=request.user)
        page = self.paginate_queryset(messages_of(agreement))
        return self.get_paginated_response(s.MessageOut(page, many=True, context={"agreement": agreement}).data)

    @extend_schema(operation_id="messages_create", request={"multipart/form-data": s.MessageIn},
                   responses={201: s.MessageOut})
    def post(self, request, agreement_id):
        agreement = agreement_for_user(request.user, agreement_id)
        body = s.MessageIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("attachment")
        link, provider_link = thread_links(agreement, current_municipality().code)
        message = message_post(agreement=agreement, actor=request.user, body=body.validated_data["body"],
                               capacity=capacity_for(request.user, agreement) or "", link=link,
                               provider_link=provider_link,
                               attachment=(upload.name, upload_read(upload)) if upload is not None else None)
        return Response(s.MessageOut(messages_of(agreement).get(pk=message.pk), context={"agreement": agreement}).data,
                        status=status.HTTP_201_CREATED)


class AttachmentView(GenericAPIView):
    """An attachment of the conversation, as a download (audited as a read of the person's data)."""

    permission_classes = [IsMemberHere]

    @extend_schema(operation_id="messages_attachment_retrieve",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, agreement_id, attachment_id):
        attachment = attachment_of(agreement_for_user(request.user, agreement_id), attachment_id)
        return attachment_response(content=attachment.content, content_type=attachment.content_type,
                                   file_name=attachment.file_name)


class TodoView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.TodoOut
    pagination_class = None

    @extend_schema(operation_id="notifications_todo", responses=s.TodoOut(many=True))
    def get(self, request):
        rows = [{"role": role.value, "code": t.code, "count": t.count, "overdue": t.overdue, "since": t.since}
                for role, items in todo_for(request.user, current_municipality()).items() for t in items]
        return Response(s.TodoOut(rows, many=True).data)
