from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentersConfig(AppConfig):
    name = "experimenters"
    demo = "experimenters.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Experimenters")

    def ready(self):
        from calls.domain import reminders
        from calls.domain.kinds import AttachmentSlot, KindSpec, register
        from calls.domain.notifications import member_emails
        from calls.extensions import add_section, provide
        from qmi import mail, preferences, privacy

        from . import conversation, reports, signals  # noqa: F401 — signals: the receivers
        from .experimentation import followed_by
        from .models import MAX_IMAGES, ProjectApplication

        register(
            KindSpec(
                kind="experimenters",
                content_model="experimenters.ProjectApplication",
                related_name="project",
                contact_profiles=("startup", "association", "sme"),
                form_class="experimenters.forms.ProjectApplicationForm",
                edit_template="experimenters/application_form.html",
                summary_template="experimenters/application_summary.html",
                applicant_kind="organisation",
                reference_letter="E",
                admin_inline="experimenters.admin.ProjectApplicationInline",
                prefetch=(
                    "project",
                    "project__challenges",
                    "project__wishes__district",
                    "project__wishes__district__calls",
                    "project__team",
                ),
                stepped=True,
                decision_needs_district=True,
                capped_per_call=False,
                on_selected="experimenters.experimentation.on_selected",
                on_declined="experimenters.experimentation.on_declined",
                next_steps="experimenters.experimentation_views.next_steps",
                wishes_lookup="project__wishes",
                sample_answers="experimenters.samples.fill",
                districts_lookup="project__wishes__district",
                public_context="experimenters.services.public_context",
                results_template="experimenters/results.html",
                results_order=("district__name", "district_id", "application__project__title"),
                results_related=("application__applicant__organisation",),
                screening_form="experimenters.forms.ScreeningForm",
                no_applicant_url="experimenters:create",
                no_applicant_message=_("First create the profile of the organisation you act for."),
                attachment_slots=(
                    AttachmentSlot(
                        ProjectApplication.PITCH_DECK,
                        kind="pdf",
                        required=_("Attach the pitch deck (PDF)."),
                        label=_("Pitch deck"),
                    ),
                    AttachmentSlot(
                        ProjectApplication.IMAGES,
                        kind="image",
                        max_files=MAX_IMAGES,
                        label=_("Images"),
                    ),
                ),
            )
        )
        # A new message of an experimentation's conversation, told to the other parties
        mail.register_message("experimentation_message", conversation.message_notice)
        # The reports of an experimentation: reminded before their due date and once late;
        # filed (to the members, the project manager, the referents); changes asked for
        reminders.register(reminders.Source("reports", reports.due, reports.send_many))
        mail.register_message("report_submitted", reports.submitted_notice)
        mail.register_message("report_changes_requested", reports.changes_notice)

        # The optional e-mails (``qmi.preferences``): the conversation's messages; a report
        # filed, told to the project manager and the referents (a receipt to its authors)
        def refers(user):
            return user.is_staff or user.referred_experimentations.exists()

        preferences.register_topic(
            "experimentation_messages",
            _("New messages in the conversation of an experimentation"),
            _("A message written by another party of an experimentation you follow."),
            kinds=["experimentation_message"],
            audience=lambda user: refers(user) or followed_by(user).exists(),
        )
        preferences.register_topic(
            "reports_filed",
            _("Reports filed by the experimenters"),
            _("A report of an experimentation you manage or refer was filed."),
            kinds=["report_submitted"],
            audience=refers,
            mandatory_for=lambda context: member_emails(
                context["report"].experimentation.application.applicant
            ),
        )
        # The experimentations placed in a district, on its public page
        add_section("public:district", "experimenters.experimentation_views.district_section")
        # The experimentations I follow, in "My space"
        add_section("dashboard", "experimenters.experimentation_views.dashboard_section")
        # An organisation not verified yet: why its application cannot be submitted yet
        add_section("application", "experimenters.verification_views.application_section")
        # The indicators declared in the reports, where the assessment's protocol starts from
        provide(
            "experimentation:indicators", "experimenters.reports.indicators.declared_indicators"
        )
        # What the experimentations hold about a person; a project's team anonymised when archived
        privacy.register(
            "experimenters",
            data="experimenters.privacy.data_of",
            anonymise="experimenters.privacy.anonymise",
            archive="experimenters.privacy.archive",
        )
