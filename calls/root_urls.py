"""The portal's root pages that belong to the calls: the home page and the applicant's space.

Included by ``qmi.urls`` by name, without a namespace, so ``{% url 'home' %}`` and
``{% url 'dashboard' %}`` keep working and ``qmi`` imports nothing of ``calls``.
"""

from django.urls import path

from calls.views import dashboard, public

urlpatterns = [
    path("", public.home, name="home"),
    path("espace/", dashboard.dashboard, name="dashboard"),
]
