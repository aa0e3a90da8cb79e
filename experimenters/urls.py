from django.urls import path

from . import experimentation_views, report_views, verification_views, views

app_name = "experimenters"

urlpatterns = [
    path("organisations/nouvelle/", views.organisation_create, name="create"),
    path("organisations/reclamer/", verification_views.organisation_claim, name="claim"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path(
        "organisations/<int:pk>/justificatif/",
        verification_views.organisation_proof,
        name="proof",
    ),
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
    path("rapports/<int:pk>/", report_views.report_detail, name="report"),
    path("rapports/<int:pk>/rediger/", report_views.report_edit, name="report_edit"),
    path("rapports/<int:pk>/autosave/", report_views.report_autosave, name="report_autosave"),
    path("rapports/<int:pk>/deposer/", report_views.report_submit, name="report_submit"),
    path(
        "rapports/<int:pk>/fichiers/<int:file_pk>/",
        report_views.report_file,
        name="report_file",
    ),
    path(
        "rapports/<int:pk>/fichiers/<int:file_pk>/supprimer/",
        report_views.report_file_delete,
        name="report_file_delete",
    ),
]
