from django.apps import AppConfig
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    demo = "municipalities.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Municipalities")

    def ready(self):
        from calls.domain.kinds import AttachmentSlot, KindSpec, register
        from calls.extensions import add_section, provide
        from qmi import privacy

        from .models import MunicipalityApplication

        register(
            KindSpec(
                kind="municipalities",
                content_model="municipalities.MunicipalityApplication",
                related_name="municipality",
                contact_profiles=("municipality",),
                form_class="municipalities.forms.MunicipalityApplicationForm",
                edit_template="calls/application_form.html",
                summary_template="municipalities/application_summary.html",
                applicant_kind="municipality",
                reference_letter="M",
                no_applicant_url="municipalities:join",
                no_applicant_message=_("First tell us which municipality you act for."),
                admin_inline="municipalities.admin.MunicipalityApplicationInline",
                prefetch=("municipality", "municipality__challenges"),
                admin_actions=("municipalities.admin.create_districts",),
                admin_filters=(
                    "municipality__key_area",
                    ("applicant__commune__territory", admin.AllValuesFieldListFilter),
                ),
                admin_search_fields=("municipality__district_name",),
                attachment_slots=(
                    AttachmentSlot(
                        MunicipalityApplication.DELIBERATION,
                        kind="pdf",
                        required=_(
                            "Attach the council deliberation or the letter of commitment (PDF)."
                        ),
                        label=_("Council deliberation or letter of commitment"),
                    ),
                ),
                one_per_applicant=True,
                sample_answers="municipalities.samples.fill",
                districts_lookup="applicant__commune__districts",
                on_selected="municipalities.services.place_selected",
                on_declined="municipalities.services.withdraw_district",
                next_steps="municipalities.views.next_steps",
                results_template="municipalities/results.html",
                results_order=("application__applicant__name",),
                results_related=("application__applicant__commune", "application__district"),
            )
        )
        # My municipality's innovation districts, in the municipal officer's space
        add_section("dashboard", "municipalities.views.dashboard_section")
        # The member communes a municipality picks when it signs up to be kept informed
        provide("communes:choices", "municipalities.services.commune_choices")
        # An application's elected official and referent no longer named when archived
        privacy.register("municipalities", archive="municipalities.privacy.archive")
