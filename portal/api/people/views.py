"""People endpoints: persons, relations, consents, assessments, plans and goals.

Tenant and role checks: ``IsMemberHere`` (a role on this municipality's host: social worker, municipality
administrator or the family side), then the checkpoint ``person_for_user`` (404 for a person of another
municipality or one the user is not linked to) and, for a support person, only the sections the person
allowed. Writes go through ``people.services``, which refuse everyone but a social worker (and the person or
legal representative where they decide themselves). Every read of a person's data is audited.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from portal.api.permissions import IsMemberHere
from portal.budgets.people import access, selectors, services
from portal.budgets.people.retention import person_erase
from portal.budgets.people.errors import DocumentRejected, NotAllowed
from portal.budgets.people.models import AssessmentDocument, Relation
from portal.platform.accounts.models import User
from portal.platform.core.uploads import attachment_response, upload_read
from portal.tenants.roles import FAMILY_ROLES, Role

from .serializers import (AgreeIn, AssessmentIn, AssessmentOut, ConsentIn, ConsentOut, DocumentOut, EndIn,
                          PersonBriefOut, PersonIn, PersonOut, PlanIn, PlanOut, RelationIn, RelationOut, ReviewIn,
                          VisibilityIn, person_for_role)

READER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MUNICIPALITY_ADMIN}) | FAMILY_ROLES


class PeopleReaders(IsMemberHere):
    def has_permission(self, request, view):
        view.required_roles = READER_ROLES
        return super().has_permission(request, view)


class PeopleView(GenericAPIView):
    permission_classes = [PeopleReaders]

    def person(self, person_id, *, section: str | None = None, what: str = ""):
        """The checkpoint, plus the section a support person must have been allowed to see; audited."""
        request = self.request
        person = access.person_for_user(request.user, person_id)
        capacity = access.acting_capacity(request.user, person)
        if capacity == access.SUPPORT_PERSON and section and (
                section in ("relations", "consents")
                or section not in access.visible_sections(request.user, person, capacity)):
            raise Http404
        if what:
            services.person_viewed(person=person, actor=request.user, message="person.api_read", params={"what": what},
                                   request=request)
        self.capacity = capacity
        return person


def _person_data(data: dict) -> dict:
    data = dict(data)
    worker_id = data.pop("social_worker_id", None)
    if worker_id is not None:
        data["social_worker"] = User.objects.filter(pk=worker_id).first()
    return data


class PersonListView(PeopleView):
    serializer_class = PersonOut

    @extend_schema(operation_id="people_persons_list", responses=person_for_role(many=True), parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="Name or the start of the personal code"),
        OpenApiParameter("target_group", OpenApiTypes.STR, enum=["children", "adults"])])
    def get(self, request):
        """Persons you may see here (staff: all; family: the persons you act for or support)."""
        persons = selectors.person_search(request.user, query=request.query_params.get("q", ""),
                                          target_group=request.query_params.get("target_group", ""))
        page = self.paginate_queryset(persons)
        services.persons_listed(actor=request.user, query=request.query_params.get("q", ""),
                                count=self.paginator.page.paginator.count, request=request)
        if access.is_staff_here(request.user):
            return self.get_paginated_response(PersonOut(page, many=True).data)
        return self.get_paginated_response(PersonBriefOut(page, many=True).data)

    @extend_schema(operation_id="people_persons_create", request=PersonIn, responses={201: PersonOut})
    def post(self, request):
        """Register a person (social worker)."""
        if not access.may_write(request.user):
            raise NotAllowed("Only a social worker of this municipality may change this.")
        incoming = PersonIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        person = services.person_create(actor=request.user, request=request, **_person_data(incoming.validated_data))
        return Response(PersonOut(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(PeopleView):
    serializer_class = PersonOut

    @extend_schema(operation_id="people_persons_retrieve", responses=person_for_role())
    def get(self, request, person_id: int):
        """One person. A support person gets the name only, and contacts if the person allowed."""
        person = self.person(person_id, what="person")
        if self.capacity == access.SUPPORT_PERSON:
            contacts = "contacts" in access.visible_sections(request.user, person, self.capacity)
            return Response(PersonBriefOut(person, context={"contacts": contacts}).data)
        return Response(PersonOut(person).data)

    @extend_schema(operation_id="people_persons_partial_update", request=PersonIn(partial=True), responses=PersonOut)
    def patch(self, request, person_id: int):
        """Change a person's data (social worker); audited with old and new values."""
        person = self.person(person_id)
        incoming = PersonIn(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        person = services.person_update(person=person, actor=request.user, request=request,
                                        **_person_data(incoming.validated_data))
        return Response(PersonOut(person).data)


class RelationListView(PeopleView):
    serializer_class = RelationOut
    pagination_class = None

    @extend_schema(operation_id="people_relations_list", responses=RelationOut(many=True))
    def get(self, request, person_id: int):
        """The person's legal representatives and support persons."""
        person = self.person(person_id, section="relations", what="relations")
        return Response(RelationOut(selectors.relations_of(person), many=True).data)

    @extend_schema(operation_id="people_relations_create", request=RelationIn, responses={201: RelationOut})
    def post(self, request, person_id: int):
        """Link a legal representative (child) or a support person (adult) by their e-mail (social worker)."""
        person = self.person(person_id)
        incoming = RelationIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        user = User.objects.filter(email__iexact=data.pop("user_email")).first()
        relation = services.relation_add(person=person, user=user, actor=request.user, request=request, **data)
        return Response(RelationOut(relation).data, status=status.HTTP_201_CREATED)


class RelationVisibilityView(PeopleView):
    serializer_class = RelationOut

    @extend_schema(operation_id="people_relations_visibility", request=VisibilityIn, responses=RelationOut)
    def put(self, request, person_id: int, relation_id: int):
        """What the support person may see: set by the person (or recorded by the social worker)."""
        person = self.person(person_id)
        relation = Relation.objects.filter(pk=relation_id, person=person).select_related("user", "person").first()
        if relation is None:
            raise Http404
        incoming = VisibilityIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        relation = services.relation_set_visibility(relation=relation, actor=request.user, request=request,
                                                    **incoming.validated_data)
        return Response(RelationOut(relation).data)


class RelationEndView(PeopleView):
    serializer_class = RelationOut

    @extend_schema(operation_id="people_relations_end", request=EndIn, responses=RelationOut)
    def post(self, request, person_id: int, relation_id: int):
        """End a relation on a date (social worker)."""
        person = self.person(person_id)
        relation = Relation.objects.filter(pk=relation_id, person=person).select_related("user", "person").first()
        if relation is None:
            raise Http404
        incoming = EndIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        relation = services.relation_end(relation=relation, on=incoming.validated_data["on"], actor=request.user,
                                         request=request)
        return Response(RelationOut(relation).data)


class ConsentWithdrawView(PeopleView):
    serializer_class = ConsentOut

    @extend_schema(operation_id="people_consents_withdraw", request=EndIn, responses=ConsentOut)
    def post(self, request, person_id: int, consent_id: int):
        """Record that a consent was withdrawn on a date (the person, the representative or a social worker)."""
        person = self.person(person_id, section="consents")
        consent = person.consents.filter(pk=consent_id).first()
        if consent is None:
            raise Http404
        incoming = EndIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        consent = services.consent_withdraw(consent=consent, on=incoming.validated_data["on"], actor=request.user,
                                            request=request)
        return Response(ConsentOut(consent).data)


class ConsentListView(PeopleView):
    serializer_class = ConsentOut
    pagination_class = None

    @extend_schema(operation_id="people_consents_list", responses=ConsentOut(many=True))
    def get(self, request, person_id: int):
        """Consents the person or their representative gave, with dates."""
        person = self.person(person_id, section="consents", what="consents")
        return Response(ConsentOut(person.consents.all(), many=True).data)

    @extend_schema(operation_id="people_consents_create", request=ConsentIn, responses={201: ConsentOut})
    def post(self, request, person_id: int):
        """Record a consent (the person, the legal representative, or a social worker for them)."""
        person = self.person(person_id, section="consents")
        incoming = ConsentIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        consent = services.consent_record(person=person, actor=request.user, request=request,
                                          **incoming.validated_data)
        return Response(ConsentOut(consent).data, status=status.HTTP_201_CREATED)


class AssessmentListView(PeopleView):
    serializer_class = AssessmentOut
    pagination_class = None

    @extend_schema(operation_id="people_assessments_list", responses=AssessmentOut(many=True))
    def get(self, request, person_id: int):
        """The person's needs assessments, newest first."""
        person = self.person(person_id, section="assessment", what="needs assessments")
        return Response(AssessmentOut(selectors.assessments_of(person), many=True).data)

    @extend_schema(operation_id="people_assessments_create", request=AssessmentIn, responses={201: AssessmentOut})
    def post(self, request, person_id: int):
        """Record a needs assessment; its kind follows the target group and its level is computed."""
        person = self.person(person_id)
        incoming = AssessmentIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        assessment = services.assessment_create(person=person, actor=request.user, request=request,
                                                **incoming.validated_data)
        return Response(AssessmentOut(assessment).data, status=status.HTTP_201_CREATED)


class DocumentListView(PeopleView):
    serializer_class = DocumentOut
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="people_documents_create",
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
                   responses={201: DocumentOut})
    def post(self, request, person_id: int, assessment_id: int):
        """Attach a PDF, JPEG or PNG (at most 10 MB, type read from the content) to an assessment."""
        person = self.person(person_id)
        assessment = person.assessments.filter(pk=assessment_id).first()
        if assessment is None:
            raise Http404
        upload = request.FILES.get("file")
        if upload is None:
            raise DocumentRejected("Attach a file.", field="file")
        document = services.document_attach(assessment=assessment, file_name=upload.name,
                                            content=upload_read(upload),
                                            actor=request.user, request=request)
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(PeopleView):
    @extend_schema(operation_id="people_documents_retrieve",
                   responses={(200, kind): OpenApiTypes.BINARY for kind in AssessmentDocument.FileType.values})
    def get(self, request, person_id: int, assessment_id: int, document_id: int):
        """The document's content (audited)."""
        person = self.person(person_id, section="assessment")
        document = AssessmentDocument.objects.filter(pk=document_id, assessment_id=assessment_id,
                                                     assessment__person=person).first()
        if document is None:
            raise Http404
        services.person_viewed(person=person, actor=request.user, message="person.api_document_read",
                               params={"file": document.file_name},
                               request=request)
        return attachment_response(content=document.content, content_type=document.content_type,
                                   file_name=f"{document.pk}-{document.file_name}")


def _goals(data) -> list[dict]:
    return [dict(goal) for goal in data]


class PlanListView(PeopleView):
    serializer_class = PlanOut
    pagination_class = None

    @extend_schema(operation_id="people_plans_list", responses=PlanOut(many=True))
    def get(self, request, person_id: int):
        """Every version of the person's support plan, newest first, with goals."""
        person = self.person(person_id, section="plan", what="support plans")
        return Response(PlanOut(selectors.plans_of(person), many=True).data)

    @extend_schema(operation_id="people_plans_create", request=PlanIn, responses={201: PlanOut})
    def post(self, request, person_id: int):
        """Draft a new plan version (social worker)."""
        person = self.person(person_id)
        incoming = PlanIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        assessment = None
        if data.get("assessment_id"):
            assessment = person.assessments.filter(pk=data["assessment_id"]).first()
            if assessment is None:
                raise Http404
        plan = services.plan_create(person=person, period_start=data["period_start"], period_end=data["period_end"],
                                    goals=_goals(data["goals"]), assessment=assessment, actor=request.user,
                                    request=request)
        return Response(PlanOut(selectors.plan_for_person(person, plan.pk)).data, status=status.HTTP_201_CREATED)


class PlanView(PeopleView):
    serializer_class = PlanOut

    def plan(self, person_id, plan_id, *, what=""):
        person = self.person(person_id, section="plan", what=what)
        plan = selectors.plan_for_person(person, plan_id)
        if plan is None:
            raise Http404
        return person, plan


class PlanDetailView(PlanView):

    @extend_schema(operation_id="people_plans_retrieve", responses=PlanOut)
    def get(self, request, person_id: int, plan_id: int):
        """One plan version with its goals."""
        _person, plan = self.plan(person_id, plan_id, what="support plan")
        return Response(PlanOut(plan).data)

    @extend_schema(operation_id="people_plans_update", request=PlanIn, responses=PlanOut)
    def put(self, request, person_id: int, plan_id: int):
        """Replace the period and goals of a plan being prepared (social worker)."""
        person, plan = self.plan(person_id, plan_id)
        incoming = PlanIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.plan_update(plan=plan, period_start=data["period_start"], period_end=data["period_end"],
                             goals=_goals(data["goals"]), actor=request.user, request=request)
        return Response(PlanOut(selectors.plan_for_person(person, plan.pk)).data)


class PlanAgreeView(PlanView):
    @extend_schema(operation_id="people_plans_agree", request=AgreeIn, responses=PlanOut)
    def post(self, request, person_id: int, plan_id: int):
        """The person (or a child's legal representative) agrees; a social worker may record it for them.
        A support person is refused: they never decide in the person's place."""
        person, plan = self.plan(person_id, plan_id)
        incoming = AgreeIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.plan_agree(plan=plan, actor=request.user, request=request, **incoming.validated_data)
        return Response(PlanOut(selectors.plan_for_person(person, plan.pk)).data)


class PlanApproveView(PlanView):
    @extend_schema(operation_id="people_plans_approve", request=None, responses=PlanOut)
    def post(self, request, person_id: int, plan_id: int):
        """Approve an agreed plan (social worker): the budget is granted."""
        person, plan = self.plan(person_id, plan_id)
        services.plan_approve(plan=plan, actor=request.user, request=request)
        return Response(PlanOut(selectors.plan_for_person(person, plan.pk)).data)


class PlanReviewView(PlanView):
    @extend_schema(operation_id="people_plans_review", request=ReviewIn, responses=PlanOut)
    def post(self, request, person_id: int, plan_id: int):
        """Record each goal's outcome (achieved / partly / not) with a comment (social worker)."""
        person, plan = self.plan(person_id, plan_id)
        incoming = ReviewIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        outcomes = {o["goal_id"]: (o["outcome"], o["comment"]) for o in incoming.validated_data["outcomes"]}
        services.plan_review(plan=plan, outcomes=outcomes, comment=incoming.validated_data["comment"],
                             actor=request.user, request=request)
        return Response(PlanOut(selectors.plan_for_person(person, plan.pk)).data)


class KeptOut(serializers.Serializer):
    what = serializers.CharField()
    why = serializers.CharField()
    until = serializers.DateField()


class ErasureOut(serializers.Serializer):
    kept = KeptOut(many=True)


class ErasureView(PeopleView):
    serializer_class = ErasureOut

    @extend_schema(operation_id="people_persons_erase", request=None, responses=ErasureOut)
    def post(self, request, person_id: int):
        """Erasure on request (a social worker): contact details and address are removed now; the answer says
        what stays, why and until when (docs/subsystems/privacy.md)."""
        person = self.person(person_id)
        return Response(ErasureOut({"kept": person_erase(person=person, actor=request.user, request=request)}).data)
