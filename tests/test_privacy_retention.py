"""The retention job the privacy page names (time travel), the page itself, and the history
of staff edits on what decides outcomes."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from calls.models import Application, Call
from evaluation.models import Criterion, JuryMember
from municipalities.models import MunicipalityApplication
from qmi import tasks
from qmi.models import User
from tests.factories import (
    CriterionFactory,
    JuryMemberFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0)


def days(n):
    return START + timedelta(days=n)


def test_retention_job_is_scheduled_daily_by_beat():
    task = PeriodicTask.objects.get(name="Personal data retention")

    assert task.task == "qmi.tasks.apply_retention"
    assert task.enabled
    assert task.interval.every == 24 * 3600


def test_unused_account_is_warned_once_then_anonymised(settings):
    settings.ACCOUNT_RETENTION_DAYS, settings.RETENTION_WARNING_DAYS = 1095, 30
    sleeper = UserFactory(last_login=START, first_name="Alice")
    active = UserFactory(last_login=START)
    email = sleeper.email

    with time_machine.travel(days(1095 - 31), tick=False):
        assert tasks.apply_retention.delay().get()["warned"] == 0
    with time_machine.travel(days(1095 - 29), tick=False):
        User.objects.filter(pk=active.pk).update(last_login=timezone.now())
        result = tasks.apply_retention.delay().get()
    assert result["warned"] == 1
    assert [m.to for m in mail.outbox] == [[email]]
    assert "will be deleted" in mail.outbox[0].subject
    with time_machine.travel(days(1095 - 20), tick=False):
        tasks.apply_retention.delay().get()
    assert len(mail.outbox) == 1  # warned once
    with time_machine.travel(days(1095 + 2), tick=False):
        result = tasks.apply_retention.delay().get()

    assert result["anonymised"] == 1
    sleeper.refresh_from_db()
    assert sleeper.email == f"deleted-{sleeper.pk}@invalid"
    assert (sleeper.first_name, sleeper.is_active, sleeper.has_usable_password()) == (
        "",
        False,
        False,
    )
    active.refresh_from_db()
    assert active.is_active
    assert active.retention_warned_at is None


def test_warned_account_that_signs_in_again_is_kept(settings):
    settings.ACCOUNT_RETENTION_DAYS, settings.RETENTION_WARNING_DAYS = 1095, 30
    user = UserFactory(last_login=START)
    with time_machine.travel(days(1095 - 29), tick=False):
        tasks.apply_retention.delay().get()
    with time_machine.travel(days(1095 - 10), tick=False):
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    with time_machine.travel(days(1095 + 40), tick=False):
        result = tasks.apply_retention.delay().get()

    assert result["anonymised"] == 0
    user.refresh_from_db()
    assert user.is_active


def test_staff_accounts_are_left_to_paris_and_co(settings):
    staff = StaffFactory(last_login=START)
    with time_machine.travel(days(settings.ACCOUNT_RETENTION_DAYS + 100), tick=False):
        tasks.apply_retention.delay().get()

    staff.refresh_from_db()
    assert staff.is_active
    assert mail.outbox == []


def test_applications_past_the_archive_period_are_anonymised_not_deleted(settings):
    settings.ARCHIVE_RETENTION_DAYS = 1825
    old = SubmittedApplicationFactory()
    recent = SubmittedApplicationFactory()
    Call.objects.filter(pk=old.call_id).update(
        opens_at=timezone.now() - timedelta(days=1900),
        closes_at=timezone.now() - timedelta(days=1826),
    )

    result = tasks.apply_retention.delay().get()

    assert result["applications"] > 0
    assert Application.objects.filter(pk=old.pk).exists()
    content = MunicipalityApplication.objects.get(application=old)
    assert (content.elected_name, content.elected_email, content.referent_phone) == ("", "", "")
    assert content.elected_role != ""  # the office stays
    filed = old.versions.get().data["content"]
    assert (filed["elected_email"], filed["referent_name"]) == ("", "")
    kept = MunicipalityApplication.objects.get(application=recent)
    assert kept.elected_email != ""
    assert recent.versions.get().data["content"]["elected_email"] != ""
    assert tasks.apply_retention.delay().get()["applications"] == 0  # once


# --- The privacy page --------------------------------------------------------------------------


def test_privacy_page_shows_the_settings(in_english, settings):
    settings.PRIVACY_CONTROLLER = "Métropole du Grand Paris (test)"
    settings.PRIVACY_DPO_EMAIL = "dpo@metropole.example"
    settings.PRIVACY_PROCESSORS = [("Hoster SAS", "Hosting of the portal", "Roubaix, France")]
    settings.ACCOUNT_RETENTION_DAYS = 2 * 365
    settings.ARCHIVE_RETENTION_DAYS = 10 * 365
    settings.RETENTION_WARNING_DAYS = 45

    html = in_english.get(reverse("privacy")).content.decode()

    assert "The controller of the data is Métropole du Grand Paris (test)." in html
    assert 'href="mailto:dpo@metropole.example"' in html
    assert "<td>Hoster SAS</td><td>Hosting of the portal</td><td>Roubaix, France</td>" in html
    assert "An account unused for 2 years (no sign-in) is deleted" in html
    assert "told by e-mail 45 days before" in html
    assert "archive for 10 years after their call" in html
    assert "[" not in html.split("<main", 1)[-1].split("</main>")[0]  # no placeholder left


def test_privacy_page_defaults_name_the_processors(in_english):
    html = in_english.get(reverse("privacy")).content.decode()

    assert "The hosting provider of the portal" in html
    assert "The e-mail provider" in html
    assert "An account unused for 3 years" in html
    assert "archive for 5 years after their call" in html


# --- History of staff edits --------------------------------------------------------------------


class _FormValues(HTMLParser):
    """The values a browser would post from the form with ``form_id``."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in attrs.get("name", ""):
            return
        if tag != "option" and "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "file", "checkbox", "radio"):
            self.values.append((attrs["name"], attrs.get("value", "")))
        elif tag == "input" and "checked" in attrs:
            self.values.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.values.append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html, form_id):
    parser = _FormValues(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return data


def test_staff_edit_of_deadline_and_weight_shows_in_the_admin_history(client):
    staff = StaffFactory(first_name="Camille", last_name="Durand")
    criterion = CriterionFactory(weight=1)
    call = criterion.call
    client.force_login(staff)
    url = reverse("admin:calls_call_change", args=[call.pk])
    data = form_values(client.get(url).content.decode(), "call_form")
    new_deadline = timezone.localtime(call.closes_at + timedelta(days=7)).replace(microsecond=0)
    data["closes_at_0"] = [new_deadline.strftime("%d/%m/%Y")]
    data["closes_at_1"] = [new_deadline.strftime("%H:%M:%S")]
    data["criteria-0-weight"] = ["3"]
    data["_save"] = [""]

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Criterion.objects.get(pk=criterion.pk).weight == 3
    call_history = call.history.order_by("-history_date").first()
    assert call_history.history_user == staff
    assert call_history.closes_at == new_deadline
    page = client.get(reverse("admin:calls_call_history", args=[call.pk])).content.decode()
    assert "Camille Durand" in page
    page = client.get(reverse("admin:evaluation_criterion_history", args=[criterion.pk]))
    html = page.content.decode()
    assert "Camille Durand" in html
    assert criterion.history.order_by("-history_date").first().weight == 3


def test_jury_member_removed_on_the_call_page_stays_in_the_history(client):
    staff = StaffFactory(first_name="Camille", last_name="Durand")
    seat = JuryMemberFactory()
    client.force_login(staff)
    url = reverse("admin:calls_call_change", args=[seat.call_id])
    data = form_values(client.get(url).content.decode(), "call_form")
    data["jury_members-0-DELETE"] = ["on"]
    data["_save"] = [""]

    assert client.post(url, data).status_code == 302

    assert not JuryMember.objects.filter(pk=seat.pk).exists()
    removal = JuryMember.history.filter(id=seat.pk).latest("history_date")
    assert (removal.history_type, removal.history_user) == ("-", staff)
    html = client.get(reverse("admin:evaluation_jurymember_history", args=[seat.pk])).content
    assert "Camille Durand" in html.decode()
    listing = client.get(reverse("admin:evaluation_historicaljurymember_changelist")).content
    assert seat.user.email in listing.decode()
