from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

JURY_SESSION_KEY = "qmi_jury"


def is_juror(user):
    """Whether ``user`` sits on a jury (a strong sign-in is then required)."""
    return user.jury_seats.exists()


class EvaluationConfig(AppConfig):
    name = "evaluation"
    demo = "evaluation.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Evaluation")

    def ready(self):
        from calls.domain import reminders
        from calls.domain.access import register_reviewer_scope
        from calls.extensions import add_section, extend
        from calls.interfaces.exports import register_column_provider
        from qmi import mail, privacy, security

        from . import announcements, signals  # noqa: F401 — signals connects the receivers
        from .access import reviewer_scope
        from .assessment import campaign, reminding
        from .assessment import report as assessment_report
        from .exports import score_columns

        register_column_provider(score_columns)
        # Jury members sign in with two steps and a long password, like staff
        security.require_strong_sign_in(is_juror)
        # The decision e-mails: sent like the reminders, each once, caught up by beat's scan
        reminders.register(
            reminders.Source(announcements.SOURCE, announcements.due, announcements.send_many)
        )
        # The assessment: its parties reminded before their close, told of an extension
        reminders.register(reminders.Source(reminding.SOURCE, reminding.due, reminding.send_many))
        mail.register_message("assessment_extended", campaign.extension_notice)
        # The sides to fill, in "My space"
        add_section("dashboard", "evaluation.assessment_views.dashboard_section")
        # The published summaries of the assessment, on the home page
        # The published results of the edition's calls, on the home page
        add_section("public:home", "evaluation.public_views.home_section")
        add_section("public:home", "evaluation.assessment_public_views.home_section")
        # The published decision (its shared reason, the next steps), on the application's page
        add_section("application", "evaluation.public_views.application_section")
        register_reviewer_scope(reviewer_scope)
        # The jury's columns, reviews and decisions on the applications' admin; the ranking,
        # decisions and publication on the call's (built by calls.admin with these in front).
        extend("admin:application", "evaluation.admin_selection.ApplicationSelectionMixin")
        extend("admin:call", "evaluation.admin_call.CallSelectionMixin")
        extend("admin:call", "evaluation.admin_placement.CallPlacementMixin")
        extend("admin:call", "evaluation.admin_waitlist.CallWaitlistMixin")
        assessment_report.register()
        # What the jury and the assessment hold about a person; a juror's account is closed by staff
        privacy.register(
            "evaluation", data="evaluation.privacy.data_of", refuse="evaluation.privacy.refusal"
        )
