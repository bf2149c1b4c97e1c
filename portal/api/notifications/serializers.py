from rest_framework import serializers

from portal.notifications.models import Notification
from portal.notifications.services import notification_text


class NotificationOut(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at"]

    def get_text(self, notification) -> str:
        return notification_text(notification)


class ReadIn(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="one notification; without it, all are marked read")


class TodoOut(serializers.Serializer):
    role = serializers.CharField()
    code = serializers.CharField()
    count = serializers.IntegerField()
    overdue = serializers.IntegerField()
    since = serializers.DateField(allow_null=True)
