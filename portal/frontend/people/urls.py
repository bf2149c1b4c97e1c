"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

from django.urls import path

from . import plan_views, views

public_urlpatterns: list = []
tenant_urlpatterns: list = [
    path("personas/", views.person_list, name="person-list"),
    path("personas/jauna/", views.person_create, name="person-create"),
    path("personas/<int:person_id>/", views.person_detail, name="person"),
    path("personas/<int:person_id>/dati/", views.person_export, name="person-export"),
    path("personas/<int:person_id>/dzesana/", views.person_erasure, name="person-erasure"),
    path("personas/dzesanas-pieprasijumi/", views.erasure_requests, name="erasure-requests"),
    path("personas/<int:person_id>/labot/", views.person_edit, name="person-edit"),
    path("personas/<int:person_id>/novertejumi/jauns/", views.assessment_create, name="assessment-create"),
    path("personas/<int:person_id>/dokumenti/<int:document_id>/", views.document_download, name="document"),
    path("personas/<int:person_id>/plani/jauns/", plan_views.plan_create, name="plan-create"),
    path("personas/<int:person_id>/plani/<int:plan_id>/", plan_views.plan_detail, name="plan"),
    path("personas/<int:person_id>/plani/<int:plan_id>/labot/", plan_views.plan_edit, name="plan-edit"),
    path("personas/<int:person_id>/plani/<int:plan_id>/piekrisana/", plan_views.plan_agree, name="plan-agree"),
    path("personas/<int:person_id>/plani/<int:plan_id>/apstiprinat/", plan_views.plan_approve, name="plan-approve"),
    path("personas/<int:person_id>/plani/<int:plan_id>/jauna-versija/", plan_views.plan_new_version,
         name="plan-new-version"),
    path("personas/<int:person_id>/plani/<int:plan_id>/izvertesana/", plan_views.plan_review, name="plan-review"),
    path("personas/<int:person_id>/saistibas/jauna/", views.relation_add, name="relation-add"),
    path("personas/<int:person_id>/saistibas/<int:relation_id>/izbeigt/", views.relation_end, name="relation-end"),
    path("personas/<int:person_id>/piekrisanas/jauna/", views.consent_record, name="consent-create"),
    path("personas/<int:person_id>/piekrisanas/<int:consent_id>/atsaukt/", views.consent_withdraw,
         name="consent-withdraw"),
    path("mans-plans/", views.my_plan, name="my-plan"),
    path("mani-dati/skatijumi/", views.my_data_views, name="my-data-views"),
    path("mani-dati/lejupielade/", views.my_data_export, name="my-data-export"),
    path("mani-dati/dzesana/", views.my_erasure, name="my-erasure"),
    path("mans-plans/<int:plan_id>/piekritu/", views.my_plan_agree, name="my-plan-agree"),
    path("mans-plans/atbalsta-persona/<int:relation_id>/", views.my_support_person, name="my-support-person"),
]
