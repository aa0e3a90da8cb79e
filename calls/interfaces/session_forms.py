"""The forms of the sessions: registering (public or for a training day), a question asked in
advance, the staff's attendance check list and the import of a webinar tool's attendance file.

A registration form carries a signed one-time stamp: a second submission of the same form (a
double click, a reload after posting) is recognised and does nothing more.
"""

import csv
import unicodedata
import uuid

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from calls.models import Session

QUESTION_MAX = 2000
STAMP_SALT = "calls.session-registration"
STAMP_MAX_AGE = 6 * 3600  # a form left open longer is sent again
IMPORT_MAX_BYTES = 2 * 1024 * 1024


class RegistrationForm(forms.Form):
    """Registering for ``session``. Signed in: the account's address, the name prefilled; a
    training day also asks for which of ``applicants`` (the user's, in its audience)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Your registration, the link to cancel it and the reminder are sent there."),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=255,
        required=False,
        help_text=_("Municipality, company, association… (optional)"),
    )
    applicant = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None, required=True
    )
    question = forms.CharField(
        label=_("A question for the session (optional)"),
        max_length=QUESTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Paris&Co receives it before the session."),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, session, user, applicants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        if not self.is_bound:
            self.initial["stamp"] = signing.dumps(uuid.uuid4().hex, salt=STAMP_SALT)
        if user.is_authenticated:
            email = self.fields["email"]
            email.disabled, email.initial = True, user.email
            email.help_text = _("The address of your account.")
            self.fields["name"].initial = user.get_full_name()
        if session.is_public:
            del self.fields["applicant"]
        else:
            del self.fields["organisation"]
            self.fields["applicant"].queryset = applicants
        for name in ("name", "email"):
            self.fields[name].widget.attrs["autocomplete"] = name

    def clean(self):
        data = super().clean()
        try:
            signing.loads(data.get("stamp", ""), salt=STAMP_SALT, max_age=STAMP_MAX_AGE)
        except signing.BadSignature:
            # a new stamp, so that sending the form again works
            self.data = self.data.copy()
            self.data["stamp"] = signing.dumps(uuid.uuid4().hex, salt=STAMP_SALT)
            raise ValidationError(
                _("This form has expired: check your answers and send it again."), code="stamp"
            ) from None
        return data

    def first_submission(self):
        """True the first time this form (its stamp) is sent, False for a repeat."""
        return cache.add(f"session-form:{self.cleaned_data['stamp']}", 1, STAMP_MAX_AGE)


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Paris&Co receives it before the session and may answer it during it."),
    )


class SessionAdminForm(forms.ModelForm):
    """The staff's form of a session: a session ends after it starts and happens somewhere."""

    class Meta:
        model = Session
        fields = [
            "edition",
            "call",
            "kind",
            "audience",
            "title",
            "title_en",
            "description",
            "description_en",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "language",
            "is_published",
            "replay_url",
            "slides_url",
        ]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A session ends after it starts."))
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Give the place, the online link, or both."))
        return data


class AttendanceForm(forms.Form):
    """The check list: the registrations of a session that came."""

    attended = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = registrations


def _is_email_header(cell):
    text = unicodedata.normalize("NFKD", cell).encode("ascii", "ignore").decode().lower()
    text = "".join(c for c in text if c.isalnum())
    return "email" in text or text in ("courriel", "mail", "adressemail")


def _header(lines):
    """The row naming the e-mail column: ``(its index, the delimiter, the column)``."""
    for start, line in enumerate(lines[:50]):
        delimiter = ";" if line.count(";") > line.count(",") else ","
        header = next(csv.reader([line], delimiter=delimiter), [])
        column = next((i for i, cell in enumerate(header) if _is_email_header(cell)), None)
        if column is not None:
            return start, delimiter, column
    raise ValidationError(
        _("No e-mail column found: its first row must name it (E-mail, Email…)."),
        code="header",
    )


def read_emails(content):
    """The e-mail addresses of a webinar tool's attendance CSV (``bytes``): the column named
    E-mail, Email, Adresse e-mail… (the first row naming one is the header, so a tool's
    preamble is skipped); ``;`` or ``,``; UTF-8 with or without BOM, or Windows-1252.
    Answers ``(addresses, values that are not addresses)``; raises ``ValidationError`` for a
    file that cannot be read."""
    if len(content) > IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large (2 MB at most)."), code="size")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = "\x00"
    if "\x00" in text:
        raise ValidationError(_("This file is not a CSV file."), code="format")
    lines = text.splitlines()
    start, delimiter, column = _header(lines)
    addresses, invalid = [], []
    for row in csv.reader(lines[start + 1 :], delimiter=delimiter):
        value = row[column].strip() if len(row) > column else ""
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            invalid.append(value)
        else:
            addresses.append(value.lower())
    if not addresses:
        raise ValidationError(_("The file lists no e-mail address."), code="empty")
    return list(dict.fromkeys(addresses)), invalid


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance file of the webinar tool (CSV)"),
        help_text=_(
            "One row per participant with their e-mail address in a column named E-mail, "
            "Email or Adresse e-mail; separated by semicolons or commas."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.addresses, self.invalid = read_emails(upload.read())
        return upload
