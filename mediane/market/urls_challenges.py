"""Market pages: Challenges, questions, answers and the guided form."""

from django.urls import URLPattern, URLResolver, path

from mediane.market import views_challenges as views
from mediane.market import views_exports

# Fixed paths come before `defis/<slug>/`; their words are reserved slugs (services.RESERVED_SLUGS).
urlpatterns: list[URLPattern | URLResolver] = [
    path("defis/", views.challenge_list, name="challenge_list"),
    path("defis/nouveau/", views.challenge_create, name="challenge_create"),
    path("defis/nouveau/verifier/", views.challenge_checklist, name="challenge_checklist"),
    path("defis/a-valider/", views.challenge_review_queue, name="challenge_review_queue"),
    path("defis/mes-reponses/", views.my_answers, name="my_answers"),
    path("defis/reponses/<int:pk>/", views.answer_detail, name="answer_detail"),
    path("defis/reponses/<int:pk>/modifier/", views.answer_edit, name="answer_edit"),
    path("defis/reponses/<int:pk>/retirer/", views.answer_withdraw, name="answer_withdraw"),
    path(
        "defis/reponses/<int:pk>/fichiers/<int:attachment_pk>/",
        views.answer_attachment_download,
        name="answer_attachment",
    ),
    path("defis/<slug:slug>/", views.challenge_detail, name="challenge"),
    path("defis/<slug:slug>/modifier/", views.challenge_edit, name="challenge_edit"),
    path("defis/<slug:slug>/repondre/", views.answer_create, name="answer_create"),
    path(
        "defis/<slug:slug>/co-emetteurs/",
        views.challenge_co_issuer_add,
        name="challenge_co_issuer_add",
    ),
    path(
        "defis/<slug:slug>/co-emetteurs/<int:organisation_id>/retirer/",
        views.challenge_co_issuer_remove,
        name="challenge_co_issuer_remove",
    ),
    path(
        "defis/<slug:slug>/fichiers/",
        views.challenge_attachment_add,
        name="challenge_attachment_add",
    ),
    path(
        "defis/<slug:slug>/fichiers/<int:pk>/",
        views.challenge_attachment_download,
        name="challenge_attachment",
    ),
    path(
        "defis/<slug:slug>/fichiers/<int:pk>/supprimer/",
        views.challenge_attachment_delete,
        name="challenge_attachment_delete",
    ),
    path("defis/<slug:slug>/questions/", views.question_ask, name="question_ask"),
    path(
        "defis/<slug:slug>/questions/<int:pk>/repondre/",
        views.question_answer,
        name="question_answer",
    ),
    path(
        "defis/<slug:slug>/soumettre/",
        views.challenge_transition,
        {"action": "submit"},
        name="challenge_submit",
    ),
    path(
        "defis/<slug:slug>/renvoyer/",
        views.challenge_transition,
        {"action": "return"},
        name="challenge_return",
    ),
    path(
        "defis/<slug:slug>/publier/",
        views.challenge_transition,
        {"action": "publish"},
        name="challenge_publish",
    ),
    path(
        "defis/<slug:slug>/clore/",
        views.challenge_transition,
        {"action": "close"},
        name="challenge_close",
    ),
    path(
        "defis/<slug:slug>/lancer-evaluation/",
        views.challenge_transition,
        {"action": "start_evaluation"},
        name="challenge_start_evaluation",
    ),
    path(
        "defis/<slug:slug>/archiver/",
        views.challenge_transition,
        {"action": "archive"},
        name="challenge_archive",
    ),
    # Exports of the list and the Atom feed (views_exports); paths with a dot never match a slug.
    path("defis/export.csv", views_exports.export_csv, name="export_csv"),
    path("defis/export.xlsx", views_exports.export_xlsx, name="export_xlsx"),
    path("defis/export.json", views_exports.export_json, name="export_json"),
    path("defis/flux.atom", views_exports.feed, name="feed"),
]
