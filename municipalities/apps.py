from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Municipalities")

    def ready(self):
        from calls.domain.kinds import KindSpec, register

        register(
            KindSpec(
                kind="municipalities",
                content_model="municipalities.MunicipalityApplication",
                related_name="municipality",
                form_class="municipalities.forms.MunicipalityApplicationForm",
                edit_template="calls/application_form.html",
                summary_template="municipalities/application_summary.html",
                applicant_kind="municipality",
                no_applicant_url="municipalities:join",
                no_applicant_message=_("First tell us which municipality you act for."),
                admin_inline="municipalities.admin.MunicipalityApplicationInline",
                prefetch=("municipality", "municipality__challenges"),
                admin_actions=("municipalities.admin.create_districts",),
            )
        )
