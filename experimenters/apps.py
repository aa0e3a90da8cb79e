from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentersConfig(AppConfig):
    name = "experimenters"
    verbose_name = _("Experimenters")

    def ready(self):
        from calls.domain.kinds import AttachmentSlot, KindSpec, register

        from .models import MAX_IMAGES, ProjectApplication

        register(
            KindSpec(
                kind="experimenters",
                content_model="experimenters.ProjectApplication",
                related_name="project",
                form_class="experimenters.forms.ProjectApplicationForm",
                edit_template="experimenters/application_form.html",
                summary_template="experimenters/application_summary.html",
                applicant_kind="organisation",
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
                screening_form="experimenters.forms.ScreeningForm",
                no_applicant_url="experimenters:create",
                no_applicant_message=_("First create the profile of the organisation you act for."),
                attachment_slots=(
                    AttachmentSlot(ProjectApplication.PITCH_DECK, kind="pdf"),
                    AttachmentSlot(ProjectApplication.IMAGES, kind="image", max_files=MAX_IMAGES),
                ),
            )
        )
