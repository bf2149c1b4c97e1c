"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("v1/persons/", views.PersonListView.as_view(), name="people-persons"),
    path("v1/persons/<int:person_id>/", views.PersonDetailView.as_view(), name="people-person"),
    path("v1/persons/<int:person_id>/erasure/", views.ErasureView.as_view(), name="people-person-erasure"),
    path("v1/persons/<int:person_id>/relations/", views.RelationListView.as_view(), name="people-relations"),
    path("v1/persons/<int:person_id>/relations/<int:relation_id>/visibility/",
         views.RelationVisibilityView.as_view(), name="people-relation-visibility"),
    path("v1/persons/<int:person_id>/relations/<int:relation_id>/end/", views.RelationEndView.as_view(),
         name="people-relation-end"),
    path("v1/persons/<int:person_id>/consents/", views.ConsentListView.as_view(), name="people-consents"),
    path("v1/persons/<int:person_id>/consents/<int:consent_id>/withdraw/", views.ConsentWithdrawView.as_view(),
         name="people-consent-withdraw"),
    path("v1/persons/<int:person_id>/assessments/", views.AssessmentListView.as_view(), name="people-assessments"),
    path("v1/persons/<int:person_id>/assessments/<int:assessment_id>/documents/", views.DocumentListView.as_view(),
         name="people-documents"),
    path("v1/persons/<int:person_id>/assessments/<int:assessment_id>/documents/<int:document_id>/",
         views.DocumentDownloadView.as_view(), name="people-document"),
    path("v1/persons/<int:person_id>/plans/", views.PlanListView.as_view(), name="people-plans"),
    path("v1/persons/<int:person_id>/plans/<int:plan_id>/", views.PlanDetailView.as_view(), name="people-plan"),
    path("v1/persons/<int:person_id>/plans/<int:plan_id>/agree/", views.PlanAgreeView.as_view(),
         name="people-plan-agree"),
    path("v1/persons/<int:person_id>/plans/<int:plan_id>/approve/", views.PlanApproveView.as_view(),
         name="people-plan-approve"),
    path("v1/persons/<int:person_id>/plans/<int:plan_id>/review/", views.PlanReviewView.as_view(),
         name="people-plan-review"),
]
