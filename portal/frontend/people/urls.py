"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("personas/", views.person_list, name="person-list"),
    path("personas/jauna/", views.person_create, name="person-create"),
    path("personas/<int:person_id>/", views.person_detail, name="person"),
    path("personas/<int:person_id>/labot/", views.person_edit, name="person-edit"),
    path("personas/<int:person_id>/novertejumi/jauns/", views.assessment_create, name="assessment-create"),
    path("personas/<int:person_id>/dokumenti/<int:document_id>/", views.document_download, name="document"),
    path("personas/<int:person_id>/plani/jauns/", views.plan_create, name="plan-create"),
    path("personas/<int:person_id>/plani/<int:plan_id>/", views.plan_detail, name="plan"),
    path("personas/<int:person_id>/plani/<int:plan_id>/labot/", views.plan_edit, name="plan-edit"),
    path("personas/<int:person_id>/plani/<int:plan_id>/piekrisana/", views.plan_agree, name="plan-agree"),
    path("personas/<int:person_id>/plani/<int:plan_id>/apstiprinat/", views.plan_approve, name="plan-approve"),
    path("personas/<int:person_id>/plani/<int:plan_id>/jauna-versija/", views.plan_new_version,
         name="plan-new-version"),
    path("personas/<int:person_id>/plani/<int:plan_id>/izvertesana/", views.plan_review, name="plan-review"),
    path("personas/<int:person_id>/saistibas/jauna/", views.relation_add, name="relation-add"),
    path("personas/<int:person_id>/piekrisanas/jauna/", views.consent_record, name="consent-create"),
    path("mans-plans/", views.my_plan, name="my-plan"),
    path("mans-plans/atbalsta-persona/<int:relation_id>/", views.my_support_person, name="my-support-person"),
]
