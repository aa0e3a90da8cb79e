from django.urls import path

from . import views

app_name = "experimenters"

urlpatterns = [
    path("organisations/nouvelle/", views.organisation_create, name="create"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path(
        "organisations/<int:pk>/transferer/<int:user_pk>/",
        views.transfer,
        name="transfer",
    ),
]
