from django.urls import path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("communes/rejoindre/", views.join, name="join"),
    path("quartiers/", views.district_list, name="districts"),
    path("quartiers/<slug:slug>/", views.district_detail, name="district"),
]
