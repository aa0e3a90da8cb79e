"""The staff side of "keep me informed": the interested contacts by profile, commune and
urban challenge, their export (CSV or XLSX, the list's filters applied, formula-safe, written
in constant memory), and the funnel of each call: interested → signed up → submitted →
selected."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.admin.exporting import ListExportMixin
from calls.domain import outreach
from calls.extensions import provided
from calls.models import Call, Contact


def commune_names():
    return dict(provided("communes:choices", default=[]) or [])


class CommuneFilter(admin.SimpleListFilter):
    title = gettext_lazy("commune")
    parameter_name = "commune"

    def lookups(self, request, model_admin):
        used = set(Contact.objects.exclude(commune_code="").values_list("commune_code", flat=True))
        names = commune_names()
        return sorted(((code, names.get(code, code)) for code in used), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(commune_code=self.value()) if self.value() else queryset


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("confirmed", _("Confirmed")),
            ("pending", _("Waiting for confirmation")),
            ("unsubscribed", _("Unsubscribed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "confirmed":
            return queryset.confirmed()
        if self.value() == "pending":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if self.value() == "unsubscribed":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


HEADERS = [
    gettext_lazy("E-mail"),
    gettext_lazy("Profile"),
    gettext_lazy("Organisation"),
    gettext_lazy("Commune"),
    gettext_lazy("Urban challenges"),
    gettext_lazy("Language"),
    gettext_lazy("Signed up at"),
    gettext_lazy("Confirmed at"),
    gettext_lazy("Unsubscribed at"),
]


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def contact_rows(queryset):
    """The header, then one row per contact: read a thousand at a time, two queries each."""
    names = commune_names()
    yield [str(header) for header in HEADERS]
    for contact in queryset.prefetch_related("challenges").iterator(chunk_size=1000):
        yield [
            contact.email,
            contact.get_profile_display(),
            contact.organisation,
            names.get(contact.commune_code, contact.commune_code),
            ", ".join(str(challenge) for challenge in contact.challenges.all()),
            contact.get_language_display(),
            _when(contact.created_at),
            _when(contact.confirmed_at),
            _when(contact.unsubscribed_at),
        ]


@admin.register(Contact)
class ContactAdmin(ListExportMixin, admin.ModelAdmin):
    change_list_template = "admin/calls/contact/change_list.html"
    list_display = [
        "email",
        "profile",
        "organisation",
        "commune",
        "language",
        "state",
        "created_at",
    ]
    list_filter = [StateFilter, "profile", CommuneFilter, "challenges", "language"]
    search_fields = ["email", "organisation"]
    readonly_fields = ["email", "consent", "created_at", "confirmed_at", "unsubscribed_at"]
    fields = [
        "email",
        "profile",
        "organisation",
        "commune_code",
        "challenges",
        "language",
        "consent",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # contacts sign up themselves, and confirm their address

    def changelist_view(self, request, extra_context=None):
        self.communes = commune_names()  # the names of the list's communes, read once
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("commune"), ordering="commune_code")
    def commune(self, obj):
        return getattr(self, "communes", {}).get(obj.commune_code, obj.commune_code)

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        if obj.unsubscribed_at:
            return _("Unsubscribed")
        return _("Confirmed") if obj.confirmed_at else _("Waiting for confirmation")

    def get_urls(self):
        return [
            path(
                "funnel/",
                self.admin_site.admin_view(self.funnel_view),
                name="calls_contact_funnel",
            ),
            *super().get_urls(),
        ]

    def export_table(self, queryset, names, *, on_row=None):
        """Every answer of the sign-up, not only the list's columns (``contact_rows``)."""
        for done, row in enumerate(contact_rows(queryset)):
            yield row
            if on_row and done:
                on_row(done)

    def funnel_view(self, request):
        calls = Call.objects.select_related("edition").order_by("-opens_at")
        context = {
            **self.admin_site.each_context(request),
            "title": _("From interest to selection, call by call"),
            "rows": outreach.funnel(calls),
            "opts": self.model._meta,
            "changelist_url": reverse("admin:calls_contact_changelist"),
        }
        return TemplateResponse(request, "admin/calls/contact/funnel.html", context)
