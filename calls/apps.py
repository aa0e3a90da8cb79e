from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    demo = "calls.demos"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Calls and applications")

    def ready(self):
        from qmi import mail, preferences, privacy

        from .domain import deadlines, notifications, offers, outreach, sessions  # noqa: F401

        mail.register_recorder(notifications.record)
        mail.register_message("deadline_extended", deadlines.extension_notice)
        mail.register_message("acknowledgement", notifications.acknowledgement_message)
        mail.register_message("correction_requested", notifications.correction_message)
        mail.register_message(
            "application_withdrawn",
            notifications.member_notice("application_withdrawn", "withdrawn"),
        )
        mail.register_message(
            "application_reopened", notifications.member_notice("application_reopened", "draft")
        )
        # A laureate's answer to the offer of its place; a place offered from the waiting list
        mail.register_message("place_accepted", offers.answer_message("place_accepted", "accepted"))
        mail.register_message(
            "place_declined", notifications.member_notice("place_declined", "declined")
        )
        mail.register_message(
            "decision_promoted", notifications.member_notice("decision_promoted", "selected")
        )
        # The optional e-mails of the sessions (``qmi.preferences``): a reminder the day before
        # (a daily digest would come too late), the replay and slides
        preferences.register_topic(
            "session_reminders",
            _("Reminders of the sessions I registered for"),
            _("The e-mail the day before a webinar, meeting or training day."),
            kinds=["session_reminder"],
            digest=False,
        )
        preferences.register_topic(
            "session_replays",
            _("Replays and slides of the sessions"),
            _("The e-mail telling that the replay and slides of a session are online."),
            kinds=["session_material"],
        )
        # What the calls hold about a person: exported, anonymised with their account, archived
        privacy.register(
            "calls",
            data="calls.privacy.data_of",
            anonymise="calls.privacy.anonymise",
            archive="calls.privacy.archive",
        )
