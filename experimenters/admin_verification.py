"""The staff side of the organisations' verification: the proofs their pending owners sent,
the verification itself, and the claims to settle."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from qmi.downloads import download

from . import verification
from .models import OrganisationProof, OwnershipClaim


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for verification")), ("yes", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(applicant__verified_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(applicant__verified_at__isnull=False)
        return queryset


class ProofInline(admin.TabularInline):
    model = OrganisationProof
    fields = ["file_link", "size", "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("proofs sent by its members")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:experimenters_organisation_proof", args=[obj.pk]),
            obj.original_name,
        )


class VerificationAdminMixin:
    """What the organisations' admin adds for their verification."""

    def get_urls(self):
        return [
            path(
                "justificatifs/<int:pk>/",
                self.admin_site.admin_view(self.proof_download),
                name="experimenters_organisation_proof",
            ),
            *super().get_urls(),
        ]

    def proof_download(self, request, pk):
        return download(get_object_or_404(OrganisationProof, pk=pk))

    @admin.display(description=_("verification"))
    def verification_state(self, obj):
        applicant = obj.applicant
        if applicant.verified_at is None:
            return _("Waiting for verification: its owner cannot submit yet.")
        return f"{applicant.get_verification_display()} — {applicant.verified_at:%Y-%m-%d}"

    @admin.display(description=_("verified"), boolean=True, ordering="applicant__verified_at")
    def verified(self, obj):
        return obj.applicant.verified_at is not None

    @admin.action(description=_("Verify the selected organisations (their owners may submit)"))
    def verify_selected(self, request, queryset):
        done = sum(
            verification.verify(organisation, by=request.user)
            for organisation in queryset.select_related("applicant")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation verified; its members are told.",
                "%(count)d organisations verified; their members are told.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )


class SettleForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", _("Not settled yet")),
            ("granted", OwnershipClaim.Outcome.GRANTED.label),
            ("refused", OwnershipClaim.Outcome.REFUSED.label),
        ],
        required=False,
    )

    class Meta:
        model = OwnershipClaim
        fields = ["reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision"):
            if self.instance.outcome != OwnershipClaim.Outcome.OPEN:
                self.add_error("decision", _("This claim is already settled."))
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason both sides will read."))
        return cleaned


@admin.register(OwnershipClaim)
class OwnershipClaimAdmin(admin.ModelAdmin):
    form = SettleForm
    list_display = ["organisation", "claimant", "job_title", "created_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["organisation", "claimant"]
    search_fields = ["organisation__legal_name", "organisation__siret", "claimant__email"]
    readonly_fields = [
        "organisation_link",
        "current_owner",
        "claimant",
        "job_title",
        "message",
        "proof_link",
        "created_at",
        "outcome",
        "settled_at",
        "settled_by",
    ]
    fields = [*readonly_fields, "decision", "reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/justificatif/",
                self.admin_site.admin_view(self.proof_download),
                name="experimenters_ownershipclaim_proof",
            ),
            *super().get_urls(),
        ]

    def proof_download(self, request, pk):
        return download(get_object_or_404(OwnershipClaim, pk=pk))

    @admin.display(description=_("organisation"))
    def organisation_link(self, obj):
        return format_html(
            '<a href="{}">{} ({})</a>',
            reverse("admin:experimenters_organisation_change", args=[obj.organisation_id]),
            obj.organisation.legal_name,
            obj.organisation.identifier,
        )

    @admin.display(description=_("its current owner"))
    def current_owner(self, obj):
        return obj.organisation.owner() or "—"

    @admin.display(description=_("proof"))
    def proof_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:experimenters_ownershipclaim_proof", args=[obj.pk]),
            obj.original_name,
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if not decision:
            obj.save(update_fields=["reason"])  # a reason drafted, kept for later
            return
        try:
            verification.settle(
                obj, by=request.user, grant=decision == "granted", reason=obj.reason
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("The claim is settled; both sides are told."))
