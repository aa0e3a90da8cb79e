"""Keep me informed: a public form, double opt-in, the purge of what was never confirmed, one
"a call is open" e-mail per contact and call in the contact's language, one-click unsubscribe
(RFC 8058), rate limits, and what staff see: the contacts, their export, the funnel."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from calls.domain import outreach, reminders
from calls.models import CallNotice, Contact, UrbanChallenge
from municipalities.models import Commune
from tests.factories import (
    CallFactory,
    ExperimenterCallFactory,
    StaffFactory,
    SubmittedApplicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``sign_up`` whose after-commit work (the confirmation e-mail) runs, as in production."""

    def post(client, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return sign_up(client, **overrides)

    return post


def answers(**overrides):
    return {
        "email": "lea.martin@bondy.example",
        "profile": "municipality",
        "organisation": "Ville de Bondy",
        "commune": Commune.objects.order_by("name").first().insee_code,
        "challenges": [UrbanChallenge.objects.get(code="climate").pk],
        "language": "en",
        "consent": "on",
        **overrides,
    }


def contact(email="x@example.org", *, profile="municipality", language="fr", confirmed=True):
    row = Contact.objects.create(
        email=email, profile=profile, language=language, consent=str(outreach.CONSENT)
    )
    if confirmed:
        outreach.confirm(row)
    return row


def sign_up(client, **overrides):
    return client.post(reverse("calls:keep_informed"), answers(**overrides))


# --- The form and the double opt-in -----------------------------------------------------------


def test_signing_up_sends_a_link_and_nothing_else_until_it_is_followed(in_english, committed):
    response = committed(in_english)

    assert response["Location"] == reverse("calls:keep_informed_sent")
    row = Contact.objects.get()
    assert (row.profile, row.language, row.is_confirmed) == ("municipality", "en", False)
    assert row.consent.startswith("I agree that the Métropole du Grand Paris")
    (message,) = mail.outbox
    confirm_url = reverse("calls:contact_confirm", kwargs={"token": row.token})
    assert confirm_url in message.body
    assert "Confirm your address" in message.subject and "Confirmez" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = in_english.get(confirm_url)

    assert "Address confirmed" in page.content.decode()
    row.refresh_from_db()
    assert row.is_confirmed


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_form_offers_e_mails_in_the_language_of_its_page(client, language):
    page = client.get(reverse("calls:keep_informed"), HTTP_ACCEPT_LANGUAGE=language)

    radios = re.findall(r'<input[^>]*name="language"[^>]*>', page.text)
    checked = [re.search(r'value="(\w+)"', radio)[1] for radio in radios if "checked" in radio]
    assert len(radios) == 2 and checked == [language]


def test_a_municipality_must_name_its_commune_and_nothing_is_saved_otherwise(in_english):
    response = sign_up(in_english, commune="")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose your commune among the member communes." in page
    assert 'aria-describedby="id_commune_helptext id_commune_error"' in page  # tied to it
    assert not Contact.objects.exists() and mail.outbox == []


def test_the_consent_is_required(in_english):
    response = sign_up(in_english, consent="")
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_signing_up_twice_changes_nothing_and_reveals_nothing(in_english, committed):
    first = committed(in_english)
    again = committed(in_english, profile="startup", organisation="Autre")

    assert first["Location"] == again["Location"]
    row = Contact.objects.get()
    assert (row.profile, row.organisation) == ("municipality", "Ville de Bondy")
    assert len(mail.outbox) == 1  # the link just sent is not sent twice
    outreach.confirm(row)
    mail.outbox.clear()
    third = committed(in_english)
    assert third["Location"] == first["Location"]
    assert mail.outbox == []


def test_a_pending_sign_up_gets_its_link_again_later(in_english, committed):
    committed(in_english)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        committed(in_english)
    assert len(mail.outbox) == 2


def test_unconfirmed_sign_ups_are_purged_after_30_days(settings):
    pending = contact("pending@example.org", confirmed=False)
    confirmed = contact("confirmed@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert outreach.purge_unconfirmed() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert outreach.purge_unconfirmed() == 1
    assert list(Contact.objects.all()) == [confirmed]
    assert not Contact.objects.filter(pk=pending.pk).exists()


def test_the_form_is_rate_limited_per_address(in_english):
    for _ in range(3):
        sign_up(in_english)
    response = sign_up(in_english)
    assert response.status_code == 429


def test_an_unknown_token_is_404(client):
    token = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("calls:contact_confirm", kwargs={"token": token})).status_code == 404


# --- "A call is open": once each, to the right profiles, in their language ---------------------


def test_an_open_call_is_told_once_to_each_confirmed_contact_it_addresses(in_english):
    call = CallFactory()  # a call for municipalities, open
    officer = contact("maire@ville.example", language="en")
    other = contact("curious@example.org", profile="other")
    startup = contact("ceo@startup.example", profile="startup")
    contact("pending@ville.example", confirmed=False)
    left = contact("left@ville.example")
    outreach.unsubscribe(left)

    reminders.send_due()
    reminders.send_due()  # the next scan sends nothing again

    assert sorted(m.to[0] for m in mail.outbox) == [other.email, officer.email]
    assert set(CallNotice.objects.values_list("contact", "call")) == {
        (officer.pk, call.pk),
        (other.pk, call.pk),
    }
    english = next(m for m in mail.outbox if m.to == [officer.email])
    assert call.title_en in english.body or call.title in english.body
    assert "Applications close on" in english.body and "Bonjour" not in english.body
    unsubscribe = reverse("calls:contact_unsubscribe", kwargs={"token": officer.token})
    assert unsubscribe in english.body
    assert unsubscribe in english.extra_headers["List-Unsubscribe"]
    assert not CallNotice.objects.filter(contact=startup).exists()


def test_a_call_for_experimenters_is_told_to_startups_associations_and_smes():
    ExperimenterCallFactory()
    for profile in ("startup", "association", "sme", "municipality"):
        contact(f"{profile}@example.org", profile=profile)

    reminders.send_due()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "association@example.org",
        "sme@example.org",
        "startup@example.org",
    ]


def test_a_closed_or_unpublished_call_is_told_to_nobody():
    now = timezone.now()
    CallFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))
    CallFactory(is_published=False)
    contact()
    reminders.send_due()
    assert mail.outbox == []


# --- Unsubscribe in one click --------------------------------------------------------------------


def test_the_link_in_the_e_mail_asks_one_click_and_a_scanner_unsubscribes_nobody(in_english):
    row = contact()
    url = reverse("calls:contact_unsubscribe", kwargs={"token": row.token})

    page = in_english.get(url).content.decode()
    row.refresh_from_db()
    assert row.unsubscribed_at is None and "Stop the e-mails" in page

    done = in_english.post(url).content.decode()
    row.refresh_from_db()
    assert row.unsubscribed_at is not None and "will receive no more e-mail" in done


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token():
    row = contact()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("calls:contact_unsubscribe", kwargs={"token": row.token}),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
    assert outreach.due() == []


# --- What staff see -------------------------------------------------------------------------------


def test_only_staff_reach_the_contacts_their_export_and_the_funnel(client):
    contact()
    urls = [
        reverse("admin:calls_contact_changelist"),
        reverse("admin:calls_contact_list_export", kwargs={"format": "csv"}),
        reverse("admin:calls_contact_funnel"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(SubmittedApplicationFactory().created_by)
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"x@example.org" not in response.content


def test_the_export_follows_the_lists_filters_and_neutralises_formulas(client):
    contact("maire@ville.example")
    risky = contact("risky@ville.example")
    Contact.objects.filter(pk=risky.pk).update(organisation='=HYPERLINK("http://x")')
    contact("ceo@startup.example", profile="startup")
    client.force_login(StaffFactory())
    query = "?profile__exact=municipality"

    response = client.get(
        reverse("admin:calls_contact_list_export", kwargs={"format": "csv"}) + query
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert sorted(row[0] for row in rows[1:]) == ["maire@ville.example", "risky@ville.example"]
    assert {row[2] for row in rows[1:]} >= {'\'=HYPERLINK("http://x")'}
    assert response["Cache-Control"] == "private, no-store"
    xlsx = client.get(reverse("admin:calls_contact_list_export", kwargs={"format": "xlsx"}) + query)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.max_row == 3


def test_the_funnel_counts_interest_applications_and_selection(client):
    call = CallFactory()
    contact("a@ville.example")
    contact("b@ville.example")
    contact("c@startup.example", profile="startup")
    SubmittedApplicationFactory(call=call)
    reminders.send_due()
    client.force_login(StaffFactory())

    (row,) = outreach.funnel(type(call).objects.filter(pk=call.pk))
    page = client.get(reverse("admin:calls_contact_funnel")).content.decode()

    assert (row["interested"], row["told"], row["signed_up"], row["submitted"]) == (2, 2, 1, 1)
    assert row["selected"] is None  # not published yet
    assert escape(call.title) in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_contacts_list_and_the_funnel_take_the_same_queries_whatever_their_number(
    client, django_assert_num_queries, size
):
    CallFactory()
    for n in range(size):
        contact(f"c{n}@ville.example")
    client.force_login(StaffFactory())
    client.get(reverse("admin:calls_contact_changelist"))  # warm the session and caches
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("admin:calls_contact_changelist")).status_code == 200
    with django_assert_num_queries(FUNNEL_QUERIES):
        assert client.get(reverse("admin:calls_contact_funnel")).status_code == 200


LIST_QUERIES = 9
FUNNEL_QUERIES = 5


def test_a_notice_has_the_same_message_id_at_every_attempt():
    call = CallFactory()
    row = contact()

    reminders.send_due()

    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"].startswith(f"<qmi.call-open-{call.pk}-{row.pk}@")
