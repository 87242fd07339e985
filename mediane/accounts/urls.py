from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from mediane.accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/verification/", two_factor_views.login_verify, name="login_verify"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.register, name="register"),
    path("verification/<str:token>/", views.verify_email, name="verify_email"),
    path("verification-renvoi/", views.resend_verification, name="resend_verification"),
    path("profil/", views.profile, name="profile"),
    path("profil/jetons/", views.api_token_create, name="api_token_create"),
    path("profil/mes-donnees/", views.personal_data_export, name="personal_data_export"),
    path("profil/supprimer/", views.account_delete, name="account_delete"),
    path("profil/jetons/<int:pk>/revoquer/", views.api_token_revoke, name="api_token_revoke"),
    path("profil/double-authentification/", two_factor_views.setup, name="two_factor_setup"),
    path(
        "profil/double-authentification/codes-de-secours/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "profil/double-authentification/desactiver/",
        two_factor_views.disable,
        name="two_factor_disable",
    ),
    path(
        "mot-de-passe/modifier/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oublie/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset_body.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "organisations/<slug:slug>/membres/",
        views.organisation_members,
        name="organisation_members",
    ),
    path(
        "organisations/<slug:slug>/membres/<int:pk>/role/",
        views.member_change_role,
        name="member_change_role",
    ),
    path(
        "organisations/<slug:slug>/membres/<int:pk>/retirer/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoquer/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("journal/", views.audit_log, name="audit_log"),
]
