from django.urls import URLPattern, URLResolver, path

from mediane.support import views

app_name = "support"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("nouvelle/", views.file_request, name="file"),
    path("experts/", views.inbox, name="inbox"),
    path("suivi/", views.follow_up, name="follow_up"),
    path("demandes/", views.staff_list, name="staff_list"),
    path("demandes/export.csv", views.export_csv, name="export_csv"),
    path("demandes/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/prendre/", views.take, name="take"),
    path("<int:pk>/decliner/", views.decline, name="decline"),
    path("<int:pk>/message/", views.post_message, name="message"),
    path("<int:pk>/cloturer/", views.close, name="close"),
    path("<int:pk>/sans-suite/", views.cancel, name="cancel"),
    path("<int:pk>/orienter/", views.route, name="route"),
    path("<int:pk>/relancer/", views.remind, name="remind"),
]
