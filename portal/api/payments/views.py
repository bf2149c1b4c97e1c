"""Payments API: thin views over the same services and checkpoints as the pages.

Municipality host: the finance officer's payments, retries, bank batches (the pain.001 file), statements and
funding; the family's payments from the budget. National host: the provider's payments everywhere.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.marketplace.payments import access, bankfile, services, statements
from portal.marketplace.payments.errors import StatementInvalid
from portal.marketplace.payments.models import PaymentBatch, PaymentStatus
from portal.tenants.roles import Role

from . import serializers as s


class FinanceView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = (Role.FINANCE_OFFICER,)
    serializer_class = s.PaymentOut


class PaymentsView(FinanceView):
    @extend_schema(operation_id="payments_list", responses=s.PaymentOut(many=True),
                   parameters=[OpenApiParameter("status", str, enum=PaymentStatus.values)])
    def get(self, request):
        qs = access.payments_for_finance(request.user)
        if request.query_params.get("status") in PaymentStatus.values:
            qs = qs.filter(status=request.query_params["status"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.PaymentOut(page, many=True).data)


class PaymentView(FinanceView):
    @extend_schema(operation_id="payments_retrieve")
    def get(self, request, payment_id):
        return Response(s.PaymentOut(access.payment_for_finance(request.user, payment_id)).data)


class PaymentActionView(FinanceView):
    """One service run on the finance officer's payment; the answer is the payment after it."""

    service = None  # a payments service taking ``payment`` and ``actor``

    def post(self, request, payment_id):
        payment = type(self).service(payment=access.payment_for_finance(request.user, payment_id), actor=request.user)
        return Response(s.PaymentOut(payment).data)


@extend_schema_view(post=extend_schema(operation_id="payments_retry", request=None))
class PaymentRetryView(PaymentActionView):
    """Run the rail again for a waiting, failed or returned payment — the same payment and idempotency key."""

    service = services.payment_retry


class PaymentReverseView(FinanceView):
    """Cancel a paid invoice and take its payment back: Stripe reverses the transfer (once); the bank rail
    leaves it to be recovered. The invoice is rejected with the reason; the budget share goes back."""

    @extend_schema(operation_id="payments_reverse", request=s.ReverseIn)
    def post(self, request, payment_id):
        payment = access.payment_for_finance(request.user, payment_id)
        body = s.ReverseIn(data=request.data)
        body.is_valid(raise_exception=True)
        payment = services.payment_reverse(payment=payment, reason=body.validated_data["reason"], actor=request.user)
        return Response(s.PaymentOut(payment).data)


@extend_schema_view(post=extend_schema(operation_id="payments_recovered", request=None))
class PaymentRecoveredView(PaymentActionView):
    """The provider paid back a cancelled invoice's bank payment: the money entries follow."""

    service = services.payment_recovered


class BatchesView(FinanceView):
    serializer_class = s.BatchOut

    @extend_schema(operation_id="payments_batches_list", responses=s.BatchOut(many=True))
    def get(self, request):
        access.payments_for_finance(request.user)
        page = self.paginate_queryset(PaymentBatch.objects.all())
        return self.get_paginated_response(s.BatchOut(page, many=True).data)

    @extend_schema(operation_id="payments_batches_create", request=s.BatchIn, responses={201: s.BatchOut})
    def post(self, request):
        """A draft pain.001.001.09 batch of the waiting bank-file payments. A provider without a valid IBAN:
        400 ``payment_batch.bad_iban`` naming the invoice, nothing written."""
        body = s.BatchIn(data=request.data)
        body.is_valid(raise_exception=True)
        access.payments_for_finance(request.user)
        batch = bankfile.batch_create(actor=request.user, payment_ids=body.validated_data.get("payment_ids"),
                                      execution_date=body.validated_data.get("execution_date"))
        return Response(s.BatchOut(batch).data, status=status.HTTP_201_CREATED)


class BatchView(FinanceView):
    serializer_class = s.BatchOut

    @extend_schema(operation_id="payments_batches_retrieve")
    def get(self, request, batch_id):
        return Response(s.BatchOut(access.batch_for_finance(request.user, batch_id)).data)


class BatchFileView(FinanceView):
    @extend_schema(operation_id="payments_batches_pain001",
                   responses={(200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request, batch_id):
        """The batch's pain.001.001.09 file (validated against the XSD). The first download exports the batch
        (its payments become sent); later downloads return the same file."""
        batch = access.batch_for_finance(request.user, batch_id)
        data = bankfile.batch_export(batch=batch, actor=request.user)
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="pain001-{batch.message_id}.xml"'
        return response


class BatchActionView(FinanceView):
    serializer_class = s.BatchOut
    service = None  # bankfile.batch_confirm or bankfile.batch_cancel

    def act(self, request, batch_id):
        batch = self.service(batch=access.batch_for_finance(request.user, batch_id), actor=request.user)
        return Response(s.BatchOut(batch).data)


class BatchConfirmView(BatchActionView):
    service = staticmethod(bankfile.batch_confirm)

    @extend_schema(operation_id="payments_batches_confirm", request=None)
    def post(self, request, batch_id):
        """The bank executed the batch: its payments are paid."""
        return self.act(request, batch_id)


class BatchCancelView(BatchActionView):
    service = staticmethod(bankfile.batch_cancel)

    @extend_schema(operation_id="payments_batches_cancel", request=None)
    def post(self, request, batch_id):
        """The batch will not be executed: its payments wait for the next batch."""
        return self.act(request, batch_id)


class StatementView(FinanceView):
    serializer_class = s.StatementOut
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="payments_statements_create",
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
                   responses={200: s.StatementOut})
    def post(self, request):
        """Import a camt.053 statement: matched payments become paid; returned and unmatched lines are listed.
        Not a camt.053: 400 ``statement.invalid``, nothing written."""
        access.payments_for_finance(request.user)
        upload = request.FILES.get("file")
        if upload is None:
            raise StatementInvalid(_("Choose a camt.053 bank statement (an XML file)."), field="file")
        result = statements.statement_import(data=upload.read(statements.MAX_BYTES + 1), actor=request.user)
        return Response(s.StatementOut(result).data)


class FundingView(FinanceView):
    serializer_class = s.FundingOut

    @extend_schema(operation_id="payments_funding_retrieve")
    def get(self, request):
        access.payments_for_finance(request.user)
        return Response(s.FundingOut(services.funding_summary()).data)

    @extend_schema(operation_id="payments_funding_top_up", request=s.TopUpIn, responses={201: s.FundingOut})
    def post(self, request):
        body = s.TopUpIn(data=request.data)
        body.is_valid(raise_exception=True)
        access.payments_for_finance(request.user)
        services.funding_top_up(amount=body.validated_data["amount"], note=body.validated_data["note"],
                                actor=request.user)
        return Response(s.FundingOut(services.funding_summary()).data, status=status.HTTP_201_CREATED)


class FamilyPaymentsView(GenericAPIView):
    """What was paid from the budgets of the persons the user is or acts for."""

    permission_classes = [IsMemberHere]
    required_roles = (Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON)
    serializer_class = s.PaymentOut

    @extend_schema(operation_id="payments_family_list", responses=s.PaymentOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(access.payments_for_family(request.user).order_by("-requested_at", "-id"))
        return self.get_paginated_response(s.PaymentOut(page, many=True).data)


class ProviderPaymentsView(GenericAPIView):
    """The provider's payments in every municipality, with status and expected date (national site)."""

    permission_classes = [IsMemberHere]
    required_roles = (Role.PROVIDER_STAFF,)
    serializer_class = s.ProviderPaymentOut

    @extend_schema(operation_id="payments_provider_list", responses=s.ProviderPaymentOut(many=True), parameters=[
        OpenApiParameter("municipality", str), OpenApiParameter("status", str, enum=PaymentStatus.values)])
    def get(self, request):
        q = request.query_params
        items = access.payments_for_provider(request.user, municipality_code=q.get("municipality") or None,
                                             status=q.get("status") or None)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(s.ProviderPaymentOut(page, many=True).data)
