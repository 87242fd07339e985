"""Market pages: jury, criteria, conflicts of interest, scores, ranking, decision, pilot."""

from django.urls import URLPattern, URLResolver, path

from mediane.market import views_evaluation as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("defis/<slug:slug>/criteres/", views.criteria, name="criteria"),
    path("defis/<slug:slug>/jury/", views.jury, name="jury"),
    path("defis/<slug:slug>/jury/<int:juror_id>/retirer/", views.jury_remove, name="jury_remove"),
    path("defis/<slug:slug>/jury/ouvrir/", views.evaluation_start, name="evaluation_start"),
    path("defis/<slug:slug>/jury/clore/", views.jury_close, name="jury_close"),
    path("defis/<slug:slug>/evaluation/", views.evaluation, name="evaluation"),
    path("defis/<slug:slug>/evaluation/interets/", views.conflicts, name="conflicts"),
    path("defis/<slug:slug>/evaluation/reponses/<int:answer_id>/", views.score, name="score"),
    path("defis/<slug:slug>/classement/", views.ranking, name="ranking"),
    path(
        "defis/<slug:slug>/classement/<int:answer_id>/preselection/",
        views.shortlist,
        name="shortlist",
    ),
    path("defis/<slug:slug>/decision/", views.decision, name="decision"),
    path("defis/<slug:slug>/pilote/", views.pilot_report, name="pilot_report"),
    path("defis/<slug:slug>/pilote/demarrer/", views.pilot_start, name="pilot_start"),
]
