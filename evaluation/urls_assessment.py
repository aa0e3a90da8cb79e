"""The pages of the 2026 assessment: each party's side of an assessment, the programme
questionnaire, the public summary of a campaign."""

from django.urls import path  # noqa: F401

urlpatterns = []
