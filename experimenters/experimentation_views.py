"""The experimentations as their experimenter and their municipality follow them: the list of
those I follow, one experimentation (status, dates, contacts, documents of the agreement), the
upload and download of its documents. Thin: find, pass the rule (404 otherwise), call
``experimenters.experimentation``, render."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qmi.downloads import download
from qmi.permissions import Find, allowed, rule_required

from . import conversation, reports
from . import experimentation as flow
from .models import Experimentation

PER_PAGE = 25

by_pk = Find(
    Experimentation.objects.select_related(
        "application__applicant",
        "application__call__edition",
        "application__project",
        "district__commune",
        "manager",
    ),
    "pk",
)


@rule_required("qmi.signed_in")
def experimentation_list(request):
    experimentations = reports.with_report_dates(
        conversation.with_unread(flow.followed_by(request.user), request.user)
    ).select_related("application__applicant", "application__project", "district__commune")
    page = Paginator(
        experimentations.order_by("district__name", "application__reference"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "experimenters/experimentation_list.html",
        {"page": page, "rows": [(e, flow.public_label(e)) for e in page]},
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"))
    file = forms.FileField(
        label=gettext_lazy("File (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list((documents or {}).items())


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=gettext_lazy("A file (PDF or image), if needed"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


MESSAGES_SHOWN = 100


@rule_required("experimenters.view_experimentation", by_pk)
def experimentation_detail(request, experimentation):
    edition = experimentation.application.call.edition
    thread = list(
        experimentation.messages.select_related("author").order_by("-created_at", "-pk")[
            :MESSAGES_SHOWN
        ]
    )[::-1]
    conversation.mark_read(experimentation, request.user)
    can_upload = experimentation.status in flow.DOCUMENTS_OPEN and allowed(
        "experimenters.upload_agreement", request.user, experimentation
    )
    return render(
        request,
        "experimenters/experimentation_detail.html",
        {
            "experimentation": experimentation,
            "public_label": flow.public_label(experimentation),
            "documents": flow.documents_of(experimentation),
            "can_upload": can_upload,
            "form": DocumentForm(documents=flow.required_documents(edition))
            if can_upload
            else None,
            "referents": list(experimentation.referents.all()),
            "thread": thread,
            "message_form": MessageForm(prefix="message"),
            "reports": [
                (report, allowed("experimenters.view_report", request.user, report))
                for report in reports.reports_of(experimentation)
            ],
        },
    )


@rule_required("experimenters.converse", by_pk)
@require_POST
def message_post(request, experimentation):
    form = MessageForm(request.POST, request.FILES, prefix="message")
    if form.is_valid():
        try:
            conversation.post(
                experimentation,
                by=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your message is sent; the others are told by e-mail."))
            return redirect(
                f"{reverse('experimenters:experimentation', kwargs={'pk': experimentation.pk})}"
                "#conversation"
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("experimenters:experimentation", pk=experimentation.pk)


@rule_required("experimenters.converse", by_pk)
def message_file(request, experimentation, message_pk):
    message = get_object_or_404(experimentation.messages.exclude(file=""), pk=message_pk)
    return download(message)


@rule_required("experimenters.upload_agreement", by_pk)
@require_POST
def document_upload(request, experimentation):
    form = DocumentForm(
        request.POST,
        request.FILES,
        documents=flow.required_documents(experimentation.application.call.edition),
    )
    if form.is_valid():
        try:
            flow.upload_document(
                experimentation,
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The document is sent: Paris&Co will check it."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("experimenters:experimentation", pk=experimentation.pk)


@rule_required("experimenters.view_experimentation", by_pk)
def document_download(request, experimentation, document_pk):
    document = get_object_or_404(experimentation.documents, pk=document_pk)
    return download(document)


def district_section(district, request):
    """The experimentations of ``district`` on its public page: their public summary only
    (project, organisation, public status, dates) — "" when there is none."""
    experimentations = list(
        Experimentation.objects.filter(district=district)
        .select_related("application__applicant", "application__project")
        .order_by("application__reference")
    )
    if not experimentations:
        return ""
    return render_to_string(
        "experimenters/district_experimentations.html",
        {
            "rows": [(e, flow.public_label(e)) for e in experimentations],
        },
        request=request,
    )


def dashboard_section(memberships, request):
    """On "My space": how many experimentations I follow, with the way to them, and the next
    report I have to write and how many are late — "" when none (or when I act for nobody)."""
    if not memberships:
        return ""
    count = flow.followed_by(request.user).count()
    if not count:
        return ""
    to_write = reports.to_write_by(request.user).select_related(
        "milestone", "experimentation__application__project"
    )
    return render_to_string(
        "experimenters/dashboard_experimentations.html",
        {
            "count": count,
            "next_report": to_write.order_by("due_at", "pk").first(),
            "late": reports.late(to_write).count(),
        },
        request=request,
    )


def next_steps(application):
    """``KindSpec.next_steps``: a selected project's experimentation, where the agreement's
    documents are uploaded and the experiment is followed."""
    experimentation = Experimentation.objects.filter(application=application).first()
    if experimentation is None:
        return [(_("Paris&Co will open your experimentation and contact you."), "")]
    return [
        (
            _("Your experimentation: upload the documents of the agreement and follow it"),
            reverse("experimenters:experimentation", kwargs={"pk": experimentation.pk}),
        )
    ]
