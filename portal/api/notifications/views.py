"""The signed-in user's notifications and to-do list on this site."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.notifications.models import Notification
from portal.notifications.services import notification_mark_read
from portal.notifications.todo import todo_for
from portal.tenants.access import current_municipality

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


class TodoView(GenericAPIView):
    permission_classes = [IsMemberHere]
    serializer_class = s.TodoOut
    pagination_class = None

    @extend_schema(operation_id="notifications_todo", responses=s.TodoOut(many=True))
    def get(self, request):
        rows = [{"role": role.value, "code": t.code, "count": t.count, "overdue": t.overdue, "since": t.since}
                for role, items in todo_for(request.user, current_municipality()).items() for t in items]
        return Response(s.TodoOut(rows, many=True).data)
