from django.urls import path

from calls import urls_outreach, urls_sessions
from calls.views import actions, applications, dashboard, documents, offers, public

app_name = "calls"

urlpatterns = [
    # Public programme pages
    path("calendrier/", public.timeline, name="timeline"),
    path("faq/", public.faq, name="faq"),
    path("appels/<slug:slug>/", public.call_detail, name="detail"),
    # Applicant side
    path("appels/<slug:slug>/candidater/", dashboard.start_application, name="start"),
    path("candidatures/<str:reference>/", applications.application_edit, name="application"),
    path(
        "candidatures/<str:reference>/autosave/", applications.application_autosave, name="autosave"
    ),
    path("candidatures/<str:reference>/relire/", applications.application_review, name="review"),
    path("candidatures/<str:reference>/soumettre/", actions.application_submit, name="submit"),
    path(
        "candidatures/<str:reference>/confirmation/",
        actions.application_submitted,
        name="submitted",
    ),
    path("candidatures/<str:reference>/rouvrir/", actions.application_reopen, name="reopen"),
    path("candidatures/<str:reference>/retirer/", actions.application_withdraw, name="withdraw"),
    path("candidatures/<str:reference>/place/", offers.application_place, name="place"),
    path(
        "candidatures/<str:reference>/recepisse.pdf",
        documents.application_receipt,
        name="receipt",
    ),
    path(
        "candidatures/<str:reference>/dossier.pdf",
        documents.application_dossier,
        name="dossier",
    ),
    path("exports/nouveau/", documents.export_new, name="export_new"),
    path("exports/<uuid:pk>/", documents.export_detail, name="export"),
    path("exports/<uuid:pk>/etat/", documents.export_status, name="export_status"),
    path(
        "exports/<uuid:pk>/telecharger/",
        documents.export_download,
        name="export_download",
    ),
    path(
        "candidatures/<str:reference>/pieces/<int:pk>/",
        actions.attachment_download,
        name="attachment",
    ),
    path(
        "candidatures/<str:reference>/pieces/<int:pk>/supprimer/",
        actions.attachment_delete,
        name="attachment_delete",
    ),
]

# Before and around the calls: "keep me informed", sessions (webinars, training days)
urlpatterns += urls_outreach.urlpatterns + urls_sessions.urlpatterns
