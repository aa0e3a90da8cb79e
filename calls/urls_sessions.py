"""URLs of the sessions pages (included by calls/urls.py)."""

from django.urls import path

from calls.views import sessions

urlpatterns = [
    path("rencontres/", sessions.session_list, name="sessions"),
    path("rencontres/<int:pk>/", sessions.session_detail, name="session"),
    path("rencontres/<int:pk>/inscription/", sessions.session_register, name="session_register"),
    path("rencontres/<int:pk>/inscription/envoyee/", sessions.session_sent, name="session_sent"),
    path("rencontres/<int:pk>/agenda.ics", sessions.session_ics, name="session_ics"),
    path(
        "rencontres/inscription/<uuid:token>/",
        sessions.registration_detail,
        name="registration",
    ),
    path(
        "rencontres/inscription/<uuid:token>/annuler/",
        sessions.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "rencontres/inscription/<uuid:token>/question/",
        sessions.registration_question,
        name="registration_question",
    ),
    path(
        "rencontres/inscription/<uuid:token>/agenda.ics",
        sessions.registration_ics,
        name="registration_ics",
    ),
]
