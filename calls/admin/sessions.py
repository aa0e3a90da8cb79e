"""The staff side of the sessions: the sessions (seats taken, waiting list), the registrations
(questions asked in advance, made FAQ entries; attendance), and two pages:

- ``<session>/attendance/``: the check list of who came, the import of the webinar tool's
  attendance file, sending the replay and slides to the registered;
- ``attendance-rates/``: per municipality and laureate of an edition, the training days offered,
  registered for and attended (their follow-up).

Thin: the rules are in ``calls.domain.sessions`` and ``calls.domain.session_followup``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.admin.exporting import ListExportMixin
from calls.domain import session_followup as followup
from calls.domain import sessions
from calls.interfaces.session_forms import (
    AttendanceForm,
    AttendanceImportForm,
    SessionAdminForm,
)
from calls.models import Edition, Registration, Session


@admin.action(description=gettext_lazy("Send the replay and slides to the registered"))
def send_material(modeladmin, request, queryset):
    for session in queryset:
        try:
            counts = followup.send_material(session)
        except sessions.SessionError as error:
            modeladmin.message_user(request, f"{session}: {error.message}", messages.ERROR)
            continue
        modeladmin.message_user(
            request,
            _("%(session)s: %(sent)d sent now, %(failed)d to retry (each registration once).")
            % {"session": session, "sent": counts["sent"], "failed": counts["failed"]},
            messages.WARNING if counts["failed"] else messages.SUCCESS,
        )


@admin.register(Session)
class SessionAdmin(ListExportMixin, admin.ModelAdmin):
    form = SessionAdminForm
    change_list_template = "admin/calls/session/change_list.html"
    list_display = [
        "title",
        "kind",
        "audience",
        "starts_at",
        "capacity",
        "seats_taken",
        "waiting_count",
        "is_published",
        "attendance_link",
    ]
    list_filter = ["edition", "kind", "audience", "is_published"]
    search_fields = ["title", "title_en", "place"]
    date_hierarchy = "starts_at"
    actions = [send_material]
    readonly_fields = ["material_published_at", "attendance_link"]
    fieldsets = [
        (None, {"fields": ["edition", "call", "kind", "audience", "language", "is_published"]}),
        (
            gettext_lazy("Text"),
            {"fields": ["title", "title_en", "description", "description_en"]},
        ),
        (
            gettext_lazy("When and where"),
            {"fields": ["starts_at", "ends_at", "place", "online_url", "capacity"]},
        ),
        (
            gettext_lazy("After the session"),
            {"fields": ["replay_url", "slides_url", "material_published_at", "attendance_link"]},
        ),
    ]

    def get_queryset(self, request):
        return sessions.with_seats(super().get_queryset(request))

    def export_queryset(self, queryset):
        """The seats counted with the rows: the list's rows have them, the worker's not yet."""
        if "seats_taken" not in queryset.query.annotations:
            queryset = sessions.with_seats(queryset)
        return super().export_queryset(queryset)

    @admin.display(description=gettext_lazy("seats taken"), ordering="seats_taken")
    def seats_taken(self, obj):
        return getattr(obj, "seats_taken", "—")

    @admin.display(description=gettext_lazy("waiting list"), ordering="waiting_count")
    def waiting_count(self, obj):
        return getattr(obj, "waiting_count", "—")

    @admin.display(description=gettext_lazy("registrations and attendance"))
    def attendance_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("admin:calls_session_attendance", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Registrations and attendance"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = sessions.fill_seats(obj)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d person on the waiting list was given a seat and told by e-mail.",
                        "%(n)d people on the waiting list were given a seat and told by e-mail.",
                        len(promoted),
                    )
                    % {"n": len(promoted)},
                )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("attendance-rates/", wrap(self.rates_view), name="calls_session_rates"),
            path(
                "<path:object_id>/attendance/",
                wrap(self.attendance_view),
                name="calls_session_attendance",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **extra,
        }

    def attendance_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        session = get_object_or_404(self.get_queryset(request), pk=object_id)
        checklist = AttendanceForm(registrations=session.registrations.confirmed())
        upload = AttendanceImportForm()
        report = None
        if request.method == "POST":
            if not self.has_change_permission(request, session):
                raise PermissionDenied
            action = request.POST.get("action")
            if action == "attendance":
                checklist = AttendanceForm(
                    request.POST, registrations=session.registrations.confirmed()
                )
                if checklist.is_valid():
                    present = followup.record_attendance(
                        session, attended=[r.pk for r in checklist.cleaned_data["attended"]]
                    )
                    self.message_user(
                        request, _("Attendance saved: %(n)d present.") % {"n": present}
                    )
                    return redirect(request.path)
            elif action == "import":
                upload = AttendanceImportForm(request.POST, request.FILES)
                if upload.is_valid():
                    report = followup.import_attendance(
                        session, upload.addresses, invalid=upload.invalid
                    )
                    self.message_user(
                        request,
                        _("Attendance imported: %(matched)d registrations marked present.")
                        % {"matched": len(report.matched)},
                    )
            elif action == "material":
                send_material(self, request, Session.objects.filter(pk=session.pk))
                return redirect(request.path)
        registrations = (
            session.registrations.active()
            .select_related("applicant")
            .order_by("status", "created_at", "pk")
        )
        errors = bool(checklist.errors or upload.errors)
        return TemplateResponse(
            request,
            "admin/calls/session/attendance.html",
            self._context(
                request,
                _("Registrations and attendance: %(session)s") % {"session": session},
                original=session,
                session=session,
                registrations=registrations,
                checklist=checklist,
                upload=upload,
                report=report,
            ),
            status=400 if errors else 200,
        )

    def rates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        editions = list(Edition.objects.order_by("-number"))
        chosen = request.GET.get("edition")
        edition = next((e for e in editions if str(e.pk) == chosen), None) or next(
            (e for e in editions if e.is_current), editions[0] if editions else None
        )
        rows = followup.attendance_rates(edition) if edition else []
        return TemplateResponse(
            request,
            "admin/calls/session/attendance_rates.html",
            self._context(
                request,
                _("Attendance at the training days"),
                editions=editions,
                edition=edition,
                rows=rows,
            ),
        )


class QuestionFilter(admin.SimpleListFilter):
    title = gettext_lazy("question asked")
    parameter_name = "question"

    def lookups(self, request, model_admin):
        return [
            ("yes", gettext_lazy("With a question")),
            ("faq", gettext_lazy("Made an FAQ entry")),
            ("no", gettext_lazy("Without")),
        ]

    def queryset(self, request, queryset):
        asked = ~Q(question="")
        if self.value() == "yes":
            return queryset.filter(asked)
        if self.value() == "faq":
            return queryset.filter(faq_entry__isnull=False)
        if self.value() == "no":
            return queryset.exclude(asked)
        return queryset


@admin.action(description=gettext_lazy("Make an FAQ entry of the question"))
def make_faq_entries(modeladmin, request, queryset):
    made = 0
    for registration in queryset.select_related("faq_entry"):
        try:
            _entry, created = followup.faq_from_question(registration)
        except sessions.SessionError:
            continue
        made += created
    modeladmin.message_user(
        request,
        ngettext(
            "%(n)d unpublished FAQ entry made: write its answer, then publish it.",
            "%(n)d unpublished FAQ entries made: write their answers, then publish them.",
            made,
        )
        % {"n": made},
        messages.SUCCESS if made else messages.WARNING,
    )


@admin.action(description=gettext_lazy("Cancel the registrations (the waiting list moves up)"))
def cancel_registrations(modeladmin, request, queryset):
    for registration in queryset:
        try:
            sessions.cancel(registration)
        except sessions.SessionError as error:
            modeladmin.message_user(request, f"{registration}: {error.message}", messages.ERROR)


@admin.register(Registration)
class RegistrationAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "session",
        "on_behalf",
        "status",
        "created_at",
        "question_asked",
        "faq_entry",
        "attended",
    ]
    list_editable = ["attended"]
    list_filter = ["status", "attended", QuestionFilter, "session__kind", "session__edition"]
    list_select_related = ["session", "applicant", "faq_entry"]
    search_fields = ["name", "email", "organisation", "question", "session__title"]
    actions = [make_faq_entries, cancel_registrations]
    list_per_page = 100
    fields = [
        "session",
        "name",
        "email",
        "organisation",
        "applicant",
        "user",
        "language",
        "question",
        "faq_entry",
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "reminded_at",
        "material_sent_at",
        "attended",
    ]
    readonly_fields = [name for name in fields if name != "attended"]

    def has_add_permission(self, request):
        return False  # people register through the session's page

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the seat goes to the waiting list

    @admin.display(description=gettext_lazy("on behalf of"), ordering="organisation")
    def on_behalf(self, obj):
        return obj.applicant.name if obj.applicant else obj.organisation

    @admin.display(description=gettext_lazy("question asked in advance"))
    def question_asked(self, obj):
        return Truncator(obj.question).chars(80) if obj.question else "—"
