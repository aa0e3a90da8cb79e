from django.urls import path

from . import document_views, public_views, views

app_name = "calls"

urlpatterns = [
    # Public programme pages
    path("calendrier/", public_views.timeline, name="timeline"),
    path("faq/", public_views.faq, name="faq"),
    path("appels/<slug:slug>/", public_views.call_detail, name="detail"),
    # Applicant side
    path("appels/<slug:slug>/candidater/", views.start_application, name="start"),
    path("candidatures/<str:reference>/", views.application_edit, name="application"),
    path("candidatures/<str:reference>/autosave/", views.application_autosave, name="autosave"),
    path("candidatures/<str:reference>/relire/", views.application_review, name="review"),
    path("candidatures/<str:reference>/soumettre/", views.application_submit, name="submit"),
    path(
        "candidatures/<str:reference>/confirmation/",
        views.application_submitted,
        name="submitted",
    ),
    path("candidatures/<str:reference>/rouvrir/", views.application_reopen, name="reopen"),
    path("candidatures/<str:reference>/retirer/", views.application_withdraw, name="withdraw"),
    path(
        "candidatures/<str:reference>/recepisse.pdf",
        document_views.application_receipt,
        name="receipt",
    ),
    path(
        "candidatures/<str:reference>/dossier.pdf",
        document_views.application_dossier,
        name="dossier",
    ),
    path("exports/nouveau/", document_views.export_new, name="export_new"),
    path("exports/<uuid:pk>/", document_views.export_detail, name="export"),
    path("exports/<uuid:pk>/etat/", document_views.export_status, name="export_status"),
    path(
        "exports/<uuid:pk>/telecharger/",
        document_views.export_download,
        name="export_download",
    ),
    path(
        "candidatures/<str:reference>/pieces/<int:pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "candidatures/<str:reference>/pieces/<int:pk>/supprimer/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
