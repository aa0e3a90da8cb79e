from django.urls import path

from . import account_views, member_views

app_name = "qmi"

urlpatterns = [
    path("compte/profil/", account_views.profile, name="profile"),
    path("equipes/<int:pk>/", member_views.members, name="members"),
    path("invitations/<str:token>/", member_views.invitation, name="accept_invitation"),
    path(
        "invitations/<str:token>/accepter/",
        member_views.invitation_accept,
        name="invitation_accept",
    ),
]
