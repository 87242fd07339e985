from django.urls import URLPattern, URLResolver, path

import mediane.plans.views as views

app_name = "plans"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.plan_list, name="list"),
    path("nouveau/", views.plan_create, name="create"),
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/modifier/", views.plan_edit, name="edit"),
    path("<slug:slug>/redevabilite/", views.plan_public, name="public"),
    path("<slug:slug>/export.<str:fmt>", views.plan_export, name="export"),
    path("<slug:slug>/import/", views.plan_import, name="import"),
    path("<slug:slug>/axes/nouveau/", views.axis_create, name="axis_create"),
    path("<slug:slug>/axes/<int:number>/modifier/", views.axis_edit, name="axis_edit"),
    path("<slug:slug>/actions/nouvelle/", views.action_create, name="action_create"),
    path("<slug:slug>/actions/<int:number>/", views.action_detail, name="action"),
    path("<slug:slug>/actions/<int:number>/modifier/", views.action_edit, name="action_edit"),
    path(
        "<slug:slug>/actions/<int:number>/financements/",
        views.funding_add,
        name="funding_add",
    ),
    path(
        "<slug:slug>/actions/<int:number>/indicateurs/",
        views.indicator_add,
        name="indicator_add",
    ),
    path(
        "<slug:slug>/actions/<int:number>/indicateurs/<int:pk>/valeurs/",
        views.indicator_value_add,
        name="indicator_value_add",
    ),
]
