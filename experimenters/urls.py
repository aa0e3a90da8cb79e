from django.urls import path

from . import experimentation_views, views

app_name = "experimenters"

urlpatterns = [
    path("organisations/nouvelle/", views.organisation_create, name="create"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path(
        "organisations/<int:pk>/transferer/<int:user_pk>/",
        views.transfer,
        name="transfer",
    ),
    path(
        "experimentations/",
        experimentation_views.experimentation_list,
        name="experimentations",
    ),
    path(
        "experimentations/<int:pk>/",
        experimentation_views.experimentation_detail,
        name="experimentation",
    ),
    path(
        "experimentations/<int:pk>/documents/",
        experimentation_views.document_upload,
        name="agreement_upload",
    ),
    path(
        "experimentations/<int:pk>/messages/",
        experimentation_views.message_post,
        name="message_post",
    ),
    path(
        "experimentations/<int:pk>/messages/<int:message_pk>/",
        experimentation_views.message_file,
        name="message_file",
    ),
    path(
        "experimentations/<int:pk>/documents/<int:document_pk>/",
        experimentation_views.document_download,
        name="agreement_document",
    ),
]
