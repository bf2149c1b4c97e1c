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


class CoPaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField(help_text="open, processing (bank debit running), paid, expired or failed")
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)


class CoPaymentStatusOut(serializers.Serializer):
    agreement = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The co-payment the family agreed to.")
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    waiting = serializers.DecimalField(max_digits=12, decimal_places=2,
                                       help_text="On an open payment page or a bank debit not yet confirmed.")
    due = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Still to pay.")
    can_pay = serializers.BooleanField(help_text="Whether this user can start a payment now.")
    copayments = CoPaymentOut(many=True)


class CoPaymentStartOut(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe Checkout's payment page; send the person there.")
    copayment = CoPaymentOut()
