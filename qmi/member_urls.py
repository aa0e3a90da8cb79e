from django.urls import path

from . import account_views, member_views, privacy_views

app_name = "qmi"

urlpatterns = [
    path("compte/profil/", account_views.profile, name="profile"),
    path("compte/notifications/", account_views.email_preferences, name="email_preferences"),
    path("compte/donnees/", privacy_views.download, name="personal_data"),
    path("compte/supprimer/", privacy_views.delete, name="delete_account"),
    path("equipes/<int:pk>/", member_views.members, name="members"),
    path("invitations/<str:token>/", member_views.invitation, name="accept_invitation"),
    path(
        "invitations/<str:token>/accepter/",
        member_views.invitation_accept,
        name="invitation_accept",
    ),
]
