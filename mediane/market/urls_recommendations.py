"""Market pages: recommendations (organisations to invite, challenges for an organisation)."""

from django.urls import URLPattern, URLResolver, path

from mediane.market import views_recommendations as views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "defis/<slug:slug>/a-inviter/",
        views.recommend_organisations,
        name="recommend_organisations",
    ),
    path(
        "defis/<slug:slug>/a-inviter/<slug:organisation>/",
        views.recommend_invite,
        name="recommend_invite",
    ),
    path(
        "defis/<slug:slug>/a-inviter/<slug:organisation>/retirer/",
        views.recommend_withdraw,
        name="recommend_withdraw",
    ),
    path(
        "annuaire/<slug:slug>/defis-recommandes/",
        views.recommend_challenges,
        name="recommend_challenges",
    ),
]
