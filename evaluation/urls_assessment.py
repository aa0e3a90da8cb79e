"""The pages of the 2026 assessment: each party's side of an assessment, the programme
questionnaire, the public summary of a campaign."""

from django.urls import path

from . import assessment_views as views

urlpatterns = [
    # Each party's side of an assessment, and the questionnaire on the programme
    path("bilan/", views.assessment_home, name="assessment_home"),
    path(
        "bilan/questionnaire/<int:campaign_pk>/",
        views.programme_feedback,
        name="programme_feedback",
    ),
    path(
        "bilan/questionnaire/<int:campaign_pk>/autosave/",
        views.programme_feedback_autosave,
        name="programme_feedback_autosave",
    ),
    path(
        "bilan/<int:pk>/preuves/ajouter/", views.evidence_upload, name="assessment_evidence_upload"
    ),
    path(
        "bilan/<int:pk>/preuves/<int:file_pk>/", views.evidence_download, name="assessment_evidence"
    ),
    path(
        "bilan/<int:pk>/preuves/<int:file_pk>/supprimer/",
        views.evidence_delete,
        name="assessment_evidence_delete",
    ),
    path("bilan/<int:pk>/<str:party>/", views.assessment_side, name="assessment_side"),
    path(
        "bilan/<int:pk>/<str:party>/autosave/",
        views.assessment_autosave,
        name="assessment_autosave",
    ),
    path("bilan/<int:pk>/<str:party>/deposer/", views.assessment_submit, name="assessment_submit"),
]

# The public summary of a campaign, once published
from . import assessment_public_views  # noqa: E402

urlpatterns += [
    path("bilan/campagnes/<int:pk>/", assessment_public_views.summary, name="assessment_summary"),
]
