"""Agreements API: list, create a draft, detail, and each lifecycle step. Same services as the pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from portal.marketplace.agreements import access, selectors, services
from portal.marketplace.agreements.models import Agreement
from portal.marketplace.agreements.pricing import quote
from portal.marketplace.invoicing.period import carry_over_decide, carry_overs_for_user
from portal.tenants.access import current_municipality, roles_for

from . import serializers as s


class MemberOrProvider(BasePermission):
    """A role in this municipality, or provider staff (who serve many municipalities)."""

    message = "You hold no role here that allows this."

    def has_permission(self, request, view):
        if current_municipality() is None:
            return False
        return bool(roles_for(request.user, current_municipality())) or access.is_provider_staff(request.user)


class AgreementListView(GenericAPIView):
    permission_classes = [MemberOrProvider]
    serializer_class = s.AgreementOut
    queryset = Agreement.objects.none()

    @extend_schema(operation_id="agreements_list", responses=s.AgreementOut(many=True), parameters=[
        OpenApiParameter("status", str, description="a status, or 'open' for not yet decided"),
        OpenApiParameter("q", str, description="search person, service or provider")])
    def get(self, request):
        queryset = selectors.agreements_filtered(access.agreements_for_user(request.user),
                                                 status=request.query_params.get("status", ""),
                                                 query=request.query_params.get("q", ""))
        queryset = queryset.select_related("prepared_by", "decided_by")
        page = [access.shown_to(request.user, agreement) for agreement in self.paginate_queryset(queryset)]
        return self.get_paginated_response(s.AgreementOut(page, many=True).data)

    @extend_schema(operation_id="agreements_create", request=s.AgreementCreateIn, responses={201: s.AgreementOut})
    def post(self, request):
        data = s.AgreementCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agreement = services.agreement_start(person_id=values.pop("person"), service_id=values.pop("service"),
                                             goal_id=values.pop("goal", None), actor=request.user, **values)
        return Response(s.AgreementOut(access.agreement_for_user(request.user, agreement.pk)).data,
                        status=status.HTTP_201_CREATED)


class QuoteView(GenericAPIView):
    """What an agreement would cost from the person's budget: category, cap difference, what is left."""

    permission_classes = [MemberOrProvider]
    serializer_class = s.QuoteOut
    queryset = Agreement.objects.none()

    @extend_schema(operation_id="agreements_quote", request=s.QuoteIn, responses=s.QuoteOut)
    def post(self, request):
        data = s.QuoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person, service = selectors.start_choice(request.user, person_id=values.pop("person"),
                                                 service_id=values.pop("service"))
        return Response(s.QuoteOut(quote(person=person, service=service, **values)).data)


class AgreementDetailView(GenericAPIView):
    serializer_class = s.AgreementDetailOut
    queryset = Agreement.objects.none()

    @extend_schema(operation_id="agreements_retrieve", responses=s.AgreementDetailOut)
    def get(self, request, agreement_id: int):
        agreement = access.agreement_for_user(request.user, agreement_id)
        agreement.shown_events = selectors.agreement_events(agreement, user=request.user)
        return Response(s.AgreementDetailOut(agreement).data)


class _StepView(GenericAPIView):
    """POST one lifecycle step; the service decides who may and when (its errors carry stable codes)."""

    serializer_class = s.AgreementOut
    queryset = Agreement.objects.none()
    input_serializer = None
    step = None

    def post(self, request, agreement_id: int):
        agreement = access.agreement_for_user(request.user, agreement_id)
        kwargs = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        type(self).step(agreement=agreement, actor=request.user, **kwargs)
        try:
            agreement = access.agreement_for_user(request.user, agreement_id)
        except Http404:  # e.g. a support person who just handed it over still sees it; others may not
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.AgreementOut(agreement).data)


def _step(name, service, input_serializer=None, doc=""):
    view = type(f"Agreement{name.title()}View", (_StepView,), {
        "input_serializer": input_serializer, "step": staticmethod(service), "__doc__": doc})
    def post(self, request, agreement_id: int):  # a function of its own, so each step has its own schema
        return _StepView.post(self, request, agreement_id)

    view.post = extend_schema(operation_id=f"agreements_{name}", request=input_serializer,
                              responses=s.AgreementOut, description=doc)(post)
    return view


ConfirmView = _step("confirm", services.agreement_confirm, s.ConfirmIn,
                    "The person (or a child's legal representative) confirms; the request goes to the provider.")
SendView = _step("send", services.agreement_send_to_person, s.SendIn,
                 "A support person hands the prepared draft to the person to confirm.")
AcceptView = _step("accept", services.agreement_accept, None,
                   "The provider accepts; the budget is reserved (or it waits for the municipality's approval). "
                   "409/400 budget.insufficient_funds when another agreement took the money first.")
DeclineView = _step("decline", services.agreement_decline, s.ReasonIn, "The provider declines with a reason.")
ApproveView = _step("approve", services.agreement_approve, None,
                    "The municipality approves an accepted agreement; the budget is reserved.")
RejectView = _step("reject", services.agreement_reject, s.ReasonIn,
                   "The municipality does not approve, with a reason.")
CancelView = _step("cancel", services.agreement_cancel, s.CancelIn,
                   "Cancel (notice rule applies to an active agreement; see the cancellation fee in the answer).")


class CarryOverListView(GenericAPIView):
    """Carry-over questions: staff see all, the family those of their persons (never providers)."""

    serializer_class = s.CarryOverOut
    queryset = Agreement.objects.none()

    @extend_schema(operation_id="agreements_carry_overs_list", responses=s.CarryOverOut(many=True), parameters=[
        OpenApiParameter("status", str, enum=["asked", "continued", "kept", "ended"])])
    def get(self, request):
        queryset = carry_overs_for_user(request.user)
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        return self.get_paginated_response(s.CarryOverOut(self.paginate_queryset(queryset), many=True).data)


class CarryOverAnswerView(GenericAPIView):
    serializer_class = s.CarryOverOut
    queryset = Agreement.objects.none()

    @extend_schema(operation_id="agreements_carry_overs_answer", request=s.CarryOverAnswerIn,
                   responses=s.CarryOverOut,
                   description="The person or their legal representative answers. 403 agreement.not_allowed for "
                               "anyone else; 409 carry_over.answered when it was answered already.")
    def post(self, request, carry_over_id: int):
        question = carry_overs_for_user(request.user).filter(pk=carry_over_id).first()
        if question is None:
            raise Http404
        data = s.CarryOverAnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        answered = carry_over_decide(carry_over=question, carry_on=data.validated_data["carry_on"],
                                     actor=request.user)
        return Response(s.CarryOverOut(carry_overs_for_user(request.user).get(pk=answered.pk)).data)
