"""Market pages: offers of companies and their references."""

from django.urls import URLPattern, URLResolver, path

from mediane.market import views_offers as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("offres/", views.offer_list, name="offer_list"),
    path("offres/nouvelle/", views.offer_create, name="offer_create"),
    path(
        "offres/references-a-confirmer/",
        views.references_to_confirm,
        name="offer_references_to_confirm",
    ),
    path(
        "offres/references/<int:pk>/decision/",
        views.offer_reference_decide,
        name="offer_reference_decide",
    ),
    path("offres/<slug:slug>/", views.offer_detail, name="offer_detail"),
    # `Offer.get_absolute_url` reverses "market:offer": the same page under that name.
    path("offres/<slug:slug>/", views.offer_detail, name="offer"),
    path("offres/<slug:slug>/modifier/", views.offer_edit, name="offer_edit"),
    path("offres/<slug:slug>/publication/", views.offer_publish, name="offer_publish"),
    path("offres/<slug:slug>/supprimer/", views.offer_delete, name="offer_delete"),
    path("offres/<slug:slug>/references/", views.offer_reference_add, name="offer_reference_add"),
    path(
        "offres/<slug:slug>/references/<int:pk>/retirer/",
        views.offer_reference_remove,
        name="offer_reference_remove",
    ),
]
