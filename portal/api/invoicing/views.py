"""Invoicing API: thin views over the same services and checkpoints as the pages.

National host: provider staff (their work index; sessions in bulk and invoices of one municipality, the
view entering that municipality's schema). Municipality host: the family confirms or disputes sessions;
the finance officer approves or rejects invoices.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.marketplace.invoicing import access, selectors
from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_reject, invoice_submit
from portal.marketplace.invoicing.models import Invoice, SessionStatus
from portal.marketplace.invoicing.sessions import (session_confirm, session_dispute, sessions_bulk_record,
                                                   sessions_confirm_month)
from portal.marketplace.registry.models import ProviderWorkItem
from portal.marketplace.registry.selectors import work_items_for_providers
from portal.tenants.access import current_municipality
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

from . import serializers as s

FAMILY = (Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON)


def provider_municipality(code: str) -> Municipality:
    """The municipality a provider's national-site endpoint names (404 on a municipality's host or unknown)."""
    if current_municipality() is not None:
        raise Http404
    municipality = Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).filter(code=code).first()
    if municipality is None:
        raise Http404
    return municipality


class ProviderView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = (Role.PROVIDER_STAFF,)


class ProviderWorkView(ProviderView):
    """The provider's agreements, sessions and invoices in every municipality (from the public index)."""

    serializer_class = s.WorkItemOut

    @extend_schema(operation_id="invoicing_provider_work_list", responses=s.WorkItemOut(many=True), parameters=[
        OpenApiParameter("kind", str, enum=ProviderWorkItem.Kind.values), OpenApiParameter("municipality", str),
        OpenApiParameter("status", str)])
    def get(self, request):
        q = request.query_params
        items = work_items_for_providers(access.provider_ids_for(request.user), kind=q.get("kind") or None,
                                         municipality_code=q.get("municipality") or None,
                                         status=q.get("status") or None)
        page = self.paginate_queryset(items)
        return self.get_paginated_response(s.WorkItemOut(page, many=True).data)


class ProviderSessionsView(ProviderView):
    """Sessions of one agreement: list, or record many at once (all or nothing)."""

    serializer_class = s.SessionOut

    @extend_schema(operation_id="invoicing_provider_sessions_list", responses=s.SessionOut(many=True))
    def get(self, request, code, agreement_id):
        with tenant_context(provider_municipality(code)):
            agreement = access.agreement_for_provider(request.user, agreement_id)
            page = self.paginate_queryset(selectors.sessions_of_agreement(agreement))
            data = s.SessionOut(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(operation_id="invoicing_provider_sessions_bulk_create", request=s.SessionsBulkIn,
                   responses={201: s.SessionOut(many=True)})
    def post(self, request, code, agreement_id):
        body = s.SessionsBulkIn(data=request.data)
        body.is_valid(raise_exception=True)
        with tenant_context(provider_municipality(code)):
            agreement = access.agreement_for_provider(request.user, agreement_id)
            created = sessions_bulk_record(agreement=agreement, rows=body.validated_data["sessions"],
                                           actor=request.user)
            data = s.SessionOut(created, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


class ProviderInvoiceCreateView(ProviderView):
    serializer_class = s.InvoiceDetailOut

    @extend_schema(operation_id="invoicing_provider_invoice_create", request=s.MonthIn,
                   responses={201: s.InvoiceDetailOut})
    def post(self, request, code, agreement_id):
        body = s.MonthIn(data=request.data)
        body.is_valid(raise_exception=True)
        year, month = (int(x) for x in body.validated_data["month"].split("-"))
        with tenant_context(provider_municipality(code)):
            agreement = access.agreement_for_provider(request.user, agreement_id)
            invoice = invoice_create(agreement=agreement, year=year, month=month, actor=request.user)
            data = s.InvoiceDetailOut(invoice, context={"result": selectors.invoice_check(invoice)}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ProviderInvoiceView(ProviderView):
    serializer_class = s.InvoiceDetailOut

    @extend_schema(operation_id="invoicing_provider_invoice_retrieve")
    def get(self, request, code, invoice_id):
        with tenant_context(provider_municipality(code)):
            invoice = access.invoice_for_provider(request.user, invoice_id)
            data = s.InvoiceDetailOut(invoice, context={"result": selectors.invoice_check(invoice)}).data
        return Response(data)


class ProviderInvoiceSubmitView(ProviderView):
    """Submit a clean draft. A draft with problems is refused with code ``invoice.not_clean``."""

    serializer_class = s.InvoiceDetailOut

    @extend_schema(operation_id="invoicing_provider_invoice_submit", request=None)
    def post(self, request, code, invoice_id):
        with tenant_context(provider_municipality(code)):
            invoice = access.invoice_for_provider(request.user, invoice_id)
            invoice = invoice_submit(invoice=invoice, actor=request.user)
            data = s.InvoiceDetailOut(invoice, context={"result": selectors.invoice_check(invoice)}).data
        return Response(data)


# ----------------------------------------------------------------------------- municipality host
class FamilySessionsView(GenericAPIView):
    """Sessions delivered to the persons the user is (or acts for)."""

    permission_classes = [IsMemberHere]
    required_roles = FAMILY
    serializer_class = s.FamilySessionOut

    @extend_schema(operation_id="invoicing_sessions_list", responses=s.FamilySessionOut(many=True),
                   parameters=[OpenApiParameter("status", str, enum=SessionStatus.values)])
    def get(self, request):
        qs = access.sessions_for_family(request.user).select_related("agreement__service", "agreement__provider")
        wanted = request.query_params.get("status")
        if wanted in SessionStatus.values:
            qs = qs.filter(status=wanted)
        page = self.paginate_queryset(qs.order_by("-date", "-id"))
        return self.get_paginated_response(s.FamilySessionOut(page, many=True).data)


class SessionConfirmView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = FAMILY
    serializer_class = s.FamilySessionOut

    @extend_schema(operation_id="invoicing_session_confirm", request=None)
    def post(self, request, session_id):
        session = session_confirm(session=access.session_for_family(request.user, session_id),
                                  actor=request.user)
        return Response(s.FamilySessionOut(session).data)


class SessionsConfirmMonthView(GenericAPIView):
    """Confirm every recorded session of one month at once (the person or legal representative; disputed
    sessions are left alone). All or nothing."""

    permission_classes = [IsMemberHere]
    required_roles = FAMILY
    serializer_class = s.ConfirmMonthOut

    @extend_schema(operation_id="invoicing_sessions_confirm_month", request=s.ConfirmMonthIn,
                   responses=s.ConfirmMonthOut)
    def post(self, request):
        body = s.ConfirmMonthIn(data=request.data)
        body.is_valid(raise_exception=True)
        done = sessions_confirm_month(actor=request.user, month=body.validated_data["month"],
                                      agreement_id=body.validated_data.get("agreement"))
        return Response({"confirmed": len(done), "sessions": [session.pk for session in done]})


class SessionDisputeView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = FAMILY
    serializer_class = s.FamilySessionOut

    @extend_schema(operation_id="invoicing_session_dispute", request=s.ReasonIn)
    def post(self, request, session_id):
        body = s.ReasonIn(data=request.data)
        body.is_valid(raise_exception=True)
        session = session_dispute(session=access.session_for_family(request.user, session_id),
                                  reason=body.validated_data["reason"], actor=request.user)
        return Response(s.FamilySessionOut(session).data)


class FinanceView(GenericAPIView):
    permission_classes = [IsMemberHere]
    required_roles = (Role.FINANCE_OFFICER,)
    serializer_class = s.InvoiceOut


class FinanceInvoicesView(FinanceView):
    """Invoices of this municipality (default: waiting for approval, oldest first)."""

    @extend_schema(operation_id="invoicing_invoices_list", responses=s.InvoiceOut(many=True),
                   parameters=[OpenApiParameter("status", str, enum=[v for v in Invoice.Status.values
                                                                    if v != "draft"])])
    def get(self, request):
        qs = selectors.finance_queue(status=request.query_params.get("status", "submitted"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.InvoiceOut(page, many=True).data)


class FinanceInvoiceView(FinanceView):
    serializer_class = s.InvoiceDetailOut

    @extend_schema(operation_id="invoicing_invoice_retrieve")
    def get(self, request, invoice_id):
        invoice = access.invoice_for_finance(request.user, invoice_id)
        return Response(s.InvoiceDetailOut(invoice, context={"result": selectors.invoice_check(invoice)}).data)


class FinanceApproveView(FinanceView):
    """Approve: posts the budget share from the agreement's reservation, exactly once."""

    @extend_schema(operation_id="invoicing_invoice_approve", request=None, responses=s.InvoiceOut)
    def post(self, request, invoice_id):
        invoice = invoice_approve(invoice=access.invoice_for_finance(request.user, invoice_id),
                                  actor=request.user)
        return Response(s.InvoiceOut(invoice).data)


class FinanceRejectView(FinanceView):
    @extend_schema(operation_id="invoicing_invoice_reject", request=s.ReasonIn, responses=s.InvoiceOut)
    def post(self, request, invoice_id):
        body = s.ReasonIn(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = invoice_reject(invoice=access.invoice_for_finance(request.user, invoice_id),
                                 reason=body.validated_data["reason"], actor=request.user)
        return Response(s.InvoiceOut(invoice).data)

