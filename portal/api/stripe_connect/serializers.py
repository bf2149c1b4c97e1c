from rest_framework import serializers


class AccountOut(serializers.Serializer):
    stripe_enabled = serializers.BooleanField()
    connected = serializers.BooleanField()
    account_id = serializers.CharField(allow_blank=True)
    details_submitted = serializers.BooleanField()
    payouts_enabled = serializers.BooleanField()
    currently_due = serializers.ListField(child=serializers.CharField())
    ready = serializers.BooleanField()
    readiness = serializers.CharField(help_text="The readiness in words, in the request's language.")


class OnboardingOut(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe's onboarding page (an Account Link); send the provider there.")
