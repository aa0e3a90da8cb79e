from django.urls import include, path

from . import public_views, views

app_name = "evaluation"

urlpatterns = [
    # The jury space
    path("jury/", views.home, name="home"),
    path("jury/appels/<slug:slug>/", views.call_dossiers, name="call"),
    path("jury/appels/<slug:slug>/aucun-conflit/", views.declare_none, name="declare_none"),
    path("jury/dossiers/<str:reference>/", views.dossier, name="dossier"),
    path("jury/dossiers/<str:reference>/interets/", views.declare, name="declare"),
    path("jury/dossiers/<str:reference>/evaluation/", views.review, name="review"),
    # Public results
    path("appels/<slug:slug>/resultats/", public_views.results, name="results"),
    # The 2026 assessment
    path("", include("evaluation.urls_assessment")),
]
