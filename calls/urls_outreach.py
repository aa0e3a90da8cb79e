"""URLs of "keep me informed" (included by calls/urls.py)."""

from django.urls import path

from calls.views import outreach

urlpatterns = [
    path("tenir-informe/", outreach.keep_informed, name="keep_informed"),
    path("tenir-informe/envoye/", outreach.keep_informed_sent, name="keep_informed_sent"),
    path("tenir-informe/confirmer/<uuid:token>/", outreach.confirm, name="contact_confirm"),
    path(
        "tenir-informe/desinscription/<uuid:token>/",
        outreach.unsubscribe,
        name="contact_unsubscribe",
    ),
]
