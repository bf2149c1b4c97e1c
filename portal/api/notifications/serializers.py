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


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    author_capacity = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    reported = serializers.SerializerMethodField()
    attachments = AttachmentOut(many=True, source="attachments.all")

    def get_author(self, message) -> str:
        if message.author_capacity == "provider":
            return self.context["agreement"].provider.name
        return message.author.full_name if message.author else ""

    def get_reported(self, message) -> bool:
        return message.reported_at is not None


class MessageIn(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="the text; may be empty when a file is attached")
    attachment = serializers.FileField(required=False, help_text="a PDF, JPEG or PNG of at most 10 MB")
