from django.urls import path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("communes/rejoindre/", views.join, name="join"),
]
