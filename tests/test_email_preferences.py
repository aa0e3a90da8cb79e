"""Per-user e-mail preferences: every kind of e-mail classified (mandatory, optional by topic,
governed otherwise); an optional kind sent at once, kept for the daily digest or not sent, per
recipient; mandatory kinds never filtered; the digest sent once; the page ``/compte/notifications/``
(who reaches it, what each audience may choose, bad input refused and nothing saved); the
personal-data export and the deletion of the account; the queries of ``send``."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from calls.domain import reminders
from calls.domain import sessions as session_domain
from calls.models import Delivery
from experimenters import conversation
from qmi import mail, preferences, privacy, tasks
from qmi.models import DigestItem, EmailPreference
from qmi.services import confirm_membership
from tests.factories import (
    JuryMemberFactory,
    MembershipFactory,
    MunicipalityFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
    UserFactory,
    an_experimentation,
)

pytestmark = pytest.mark.django_db

URL = "/compte/notifications/"
Mode = EmailPreference.Mode


def choose(user, topic, mode):
    return EmailPreference.objects.create(user=user, topic=topic, mode=mode)


@pytest.fixture
def experimentation(staff):
    return an_experimentation(staff)


@pytest.fixture
def owner(experimentation):
    return experimentation.application.applicant.organisation.owner()


@pytest.fixture
def officer(experimentation):
    """A member of the municipality hosting the experimentation's district."""
    return MembershipFactory(
        applicant=MunicipalityFactory(commune=experimentation.district.commune)
    ).user


def write(experimentation, by, body, capture):
    with capture(execute=True):
        conversation.post(experimentation, by=by, body=body)


def told(address):
    return [m for m in outbox.outbox if address in m.to]


# --- The classification ---------------------------------------------------------------------


def test_every_kind_of_e_mail_is_classified_once():
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    kinds = {p.name.removesuffix("_subject.txt") for p in folder.glob("*_subject.txt")}
    optional = {kind for topic in preferences.topics() for kind in topic.kinds}

    assert kinds - preferences.MANDATORY_KINDS - optional - preferences.OTHERWISE == set()
    assert preferences.MANDATORY_KINDS & optional == set()
    assert preferences.OTHERWISE & (optional | preferences.MANDATORY_KINDS) == set()
    assert optional == {
        "experimentation_message",
        "report_submitted",
        "session_reminder",
        "session_material",
    }
    assert {"call_open", "digest"} <= preferences.OTHERWISE


def test_a_mandatory_kind_cannot_be_registered_as_optional():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        preferences.register_topic("nope", "Nope", "", kinds=["correction_requested"])
    assert preferences.topic_of("correction_requested") is None


# --- Each mode of an optional kind ----------------------------------------------------------


@pytest.mark.parametrize("chosen", [None, Mode.IMMEDIATE])
def test_immediately_by_default_and_when_chosen(
    experimentation, owner, officer, staff, chosen, django_capture_on_commit_callbacks
):
    if chosen:
        choose(officer, "experimentation_messages", chosen)

    write(experimentation, owner, "Les capteurs sont posés.", django_capture_on_commit_callbacks)

    (notice,) = outbox.outbox
    assert sorted(notice.to) == sorted([officer.email, staff.email])
    assert not DigestItem.objects.exists()


def test_never_leaves_that_recipient_out_and_the_others_still_get_it(
    experimentation, owner, officer, staff, django_capture_on_commit_callbacks
):
    choose(officer, "experimentation_messages", Mode.OFF)

    write(experimentation, owner, "Les capteurs sont posés.", django_capture_on_commit_callbacks)

    (notice,) = outbox.outbox
    assert notice.to == [staff.email]
    assert not DigestItem.objects.exists()


def test_nobody_left_sends_nothing(
    experimentation, owner, officer, staff, django_capture_on_commit_callbacks
):
    choose(officer, "experimentation_messages", Mode.OFF)
    choose(staff, "experimentation_messages", Mode.OFF)

    write(experimentation, owner, "Personne ne lira ceci.", django_capture_on_commit_callbacks)

    assert outbox.outbox == []


def test_the_digest_keeps_the_messages_then_sends_them_in_one_e_mail_once(
    experimentation, owner, officer, staff, django_capture_on_commit_callbacks
):
    choose(staff, "experimentation_messages", Mode.DIGEST)

    write(experimentation, owner, "Les capteurs sont posés.", django_capture_on_commit_callbacks)
    write(experimentation, officer, "La place sera fermée.", django_capture_on_commit_callbacks)

    assert told(staff.email) == []
    assert [m.to for m in outbox.outbox] == [[officer.email], [owner.email]]
    items = list(DigestItem.objects.filter(user=staff))
    assert [(i.kind, i.sent_at) for i in items] == [("experimentation_message", None)] * 2

    outbox.outbox.clear()
    assert tasks.send_digests.delay().get() == 1

    (digest,) = outbox.outbox
    assert digest.to == [staff.email]
    assert "Les capteurs sont posés." in digest.body and "La place sera fermée." in digest.body
    french, english = digest.body.split(mail.SEPARATOR)
    assert "Les capteurs sont posés." in french and "La place sera fermée." in english
    with translation.override("en"):
        assert "Your daily digest: 2 messages" in digest.subject
        assert "Here are the 2 messages of the last day" in english
    assert reverse("qmi:email_preferences") in english
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()

    outbox.outbox.clear()
    assert tasks.send_digests.delay().get() == 0
    assert mail.send_digest(staff.pk) is False
    assert outbox.outbox == []


def test_a_digest_refused_by_the_mail_server_keeps_its_messages_for_the_next_run(
    experimentation, owner, staff, django_capture_on_commit_callbacks
):
    from unittest import mock

    choose(staff, "experimentation_messages", Mode.DIGEST)
    write(experimentation, owner, "Les capteurs sont posés.", django_capture_on_commit_callbacks)
    outbox.outbox.clear()

    refused = mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("down"))
    with refused, pytest.raises(OSError):
        mail.send_digests()

    assert DigestItem.objects.get().sent_at is None
    assert mail.send_digests() == 1
    assert [m.to for m in outbox.outbox] == [[staff.email]]


def test_the_digest_runs_each_morning_from_beat():
    task = PeriodicTask.objects.get(name="Daily e-mail digest")

    assert task.task == "qmi.tasks.send_digests" and task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "7",
        "0",
        "Europe/Paris",
    )


def test_a_choice_matches_the_address_whatever_its_case_and_an_unknown_address_is_sent_to():
    user = UserFactory(email="marie@ville.example")
    choose(user, "session_replays", Mode.OFF)

    to, digest = preferences.sort_out("session_material", ["Marie@Ville.example", "x@y.fr"], {})

    assert (to, digest) == (["x@y.fr"], [])


def test_a_choice_also_applies_to_bulk_e_mails_of_the_delivery_ledger():
    now = timezone.now()
    soon = SessionFactory(starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=21))
    user = UserFactory()
    choose(user, "session_reminders", Mode.OFF)
    silent = RegistrationFactory(session=soon, email=user.email, user=user)
    heard = RegistrationFactory(session=soon)

    reminders.send_due(now=now)

    assert [m.to for m in outbox.outbox] == [[heard.email]]
    silent.refresh_from_db()
    assert silent.reminded_at == now  # done, once: not reminded at the next scan
    assert Delivery.objects.filter(key__startswith="session-reminder").count() == 1
    assert session_domain.REMINDERS.due(now) == []


# --- Mandatory kinds are never filtered -----------------------------------------------------


def test_a_mandatory_kind_ignores_every_choice(django_capture_on_commit_callbacks):
    membership = MembershipFactory(confirmed_at=None)
    for topic in preferences.topics():
        choose(membership.user, topic.name, Mode.OFF)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_membership(membership, by=StaffFactory())

    assert [m.to for m in outbox.outbox] == [[membership.user.email]]
    assert not DigestItem.objects.exists()


def test_a_report_filed_is_a_receipt_its_authors_always_get(experimentation, owner, staff):
    referent = UserFactory()
    experimentation.referents.add(referent)
    choose(owner, "reports_filed", Mode.OFF)
    choose(referent, "reports_filed", Mode.OFF)
    choose(staff, "reports_filed", Mode.DIGEST)
    context = {"report": SimpleNamespace(experimentation=experimentation)}

    to, digest = preferences.sort_out(
        "report_submitted", [owner.email, referent.email, staff.email], context
    )

    assert (to, digest) == ([owner.email], [staff.pk])


# --- The page -------------------------------------------------------------------------------


def test_the_page_is_the_account_s_and_linked_from_it(client):
    user = UserFactory()
    client.force_login(user)

    assert reverse("qmi:email_preferences") == URL
    assert URL in client.get(reverse("qmi:profile")).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, method):
    response = getattr(client, method)(URL, {"session_replays": "off"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not EmailPreference.objects.exists()


def test_an_applicant_reads_their_own_choices_and_the_mandatory_e_mails(client, member):
    someone = UserFactory()
    choose(someone, "session_replays", Mode.OFF)
    client.force_login(member.user)

    with translation.override("en"):
        response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["session_reminders", "session_replays"]
    assert {name: form[name].value() for name in form.fields} == {
        "session_reminders": "immediate",
        "session_replays": "immediate",
    }
    assert 'value="digest"' not in page
    assert page.count("<fieldset") == 2 and page.count("<legend") == 2
    assert '<label class="form-check-label" for="id_session_replays_1">' in page
    assert "E-mails always sent" in page and "Your deadlines" in page


def test_an_applicant_saves_their_choices(client, member):
    client.force_login(member.user)

    response = client.post(
        URL, {"session_reminders": "immediate", "session_replays": "off"}, follow=True
    )

    assert response.redirect_chain == [(URL, 302)]
    assert dict(member.user.email_preferences.values_list("topic", "mode")) == {
        "session_reminders": "immediate",
        "session_replays": "off",
    }
    assert [str(m) for m in response.context["messages"]] == [
        "Vos choix de courriels sont enregistrés."
    ]
    assert 'value="off" id="id_session_replays_1" checked' in response.content.decode()


@pytest.mark.parametrize(
    "posted",
    [
        {"session_reminders": "immediate", "session_replays": "digest"},  # not for an applicant
        {"session_reminders": "digest", "session_replays": "off"},  # never offered there
        {"session_reminders": "soon", "session_replays": "off"},  # no such mode
        {"session_reminders": "off", "session_replays": "off", "experimentation_messages": "off"},
        {"session_reminders": "off", "session_replays": "off", "newsletter": "off"},
        {"session_reminders": "off"},  # one missing
    ],
)
def test_bad_input_is_refused_with_an_error_and_nothing_is_saved(client, member, posted):
    client.force_login(member.user)

    with translation.override("en"):
        response = client.post(URL, posted, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert not EmailPreference.objects.exists()
    form = response.context["form"]
    assert not form.is_valid()
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert 'aria-invalid="true"' in page or "not among those you can choose" in page


def test_a_digest_posted_by_an_applicant_says_why(client, member):
    client.force_login(member.user)

    with translation.override("en"):
        response = client.post(
            URL,
            {"session_reminders": "immediate", "session_replays": "digest"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    with translation.override("en"):
        errors = [str(error) for error in response.context["form"].errors["session_replays"]]
    assert errors == [
        "Choose immediately or never: the daily digest is offered to Paris&Co staff and jury "
        "members only."
    ]
    assert 'aria-describedby="id_session_replays_helptext id_session_replays_error"' in (
        response.content.decode()
    )


def test_the_service_refuses_what_the_page_would_refuse(member):
    with pytest.raises(preferences.PreferenceError):
        preferences.save(member.user, {"session_reminders": "off", "session_replays": "digest"})
    with pytest.raises(preferences.PreferenceError):
        preferences.save(member.user, {"nope": "off"})
    assert not EmailPreference.objects.exists()


def test_staff_are_offered_the_digest_and_save_it(client, experimentation, staff):
    client.force_login(staff)

    form = client.get(URL).context["form"]
    assert list(form.fields) == [
        "session_reminders",
        "session_replays",
        "experimentation_messages",
        "reports_filed",
    ]
    assert [c[0] for c in form.fields["experimentation_messages"].choices] == [
        "immediate",
        "digest",
        "off",
    ]
    # A reminder the day before is never put off to a digest
    assert [c[0] for c in form.fields["session_reminders"].choices] == ["immediate", "off"]

    client.post(
        URL,
        {
            "session_reminders": "immediate",
            "session_replays": "digest",
            "experimentation_messages": "digest",
            "reports_filed": "off",
        },
    )

    assert dict(staff.email_preferences.values_list("topic", "mode")) == {
        "session_reminders": "immediate",
        "session_replays": "digest",
        "experimentation_messages": "digest",
        "reports_filed": "off",
    }


def test_a_jury_member_is_offered_the_digest(client):
    juror = JuryMemberFactory().user
    client.force_login(juror)

    form = client.get(URL).context["form"]

    assert [c[0] for c in form.fields["session_replays"].choices] == ["immediate", "digest", "off"]
    client.post(URL, {"session_reminders": "off", "session_replays": "digest"})
    assert juror.email_preferences.get(topic="session_replays").mode == Mode.DIGEST


def test_the_parties_of_an_experimentation_are_offered_its_conversation(
    client, experimentation, owner, officer
):
    for user in (owner, officer):
        client.force_login(user)
        fields = client.get(URL).context["form"].fields
        assert "experimentation_messages" in fields and "reports_filed" not in fields


# --- Personal data --------------------------------------------------------------------------


def test_the_export_holds_the_choices_and_the_digest_and_deletion_forgets_them(member):
    user = member.user
    choose(user, "session_replays", Mode.OFF)
    preferences.keep_for_digest("session_material", [user.pk], subject="Replay", body="Le replay")

    data = privacy.personal_data(user)["email_preferences"]

    assert [(c["topic"], c["mode"]) for c in data["choices"]] == [("session_replays", "off")]
    assert [(i["kind"], i["subject"]) for i in data["digest_items"]] == [
        ("session_material", "Replay")
    ]

    privacy.anonymise(user)

    assert not EmailPreference.objects.filter(user=user).exists()
    assert not DigestItem.objects.filter(user=user).exists()


# --- Queries --------------------------------------------------------------------------------


# send: the preferences of the recipients in one query (immediate: and the record of what
# was sent, written then marked; digest: the kept messages in one insert; never: nothing more)
@pytest.mark.parametrize(
    "mode, queries", [(Mode.IMMEDIATE, 3), (Mode.DIGEST, 2), (Mode.OFF, 1), ("mixed", 4)]
)
def test_send_costs_the_same_for_one_or_five_recipients(
    experimentation, owner, mode, queries, django_assert_num_queries
):
    message = conversation.post(experimentation, by=owner, body="Bonjour.")
    kind, _to, context = conversation.message_notice(message.pk)
    modes = [Mode.IMMEDIATE, Mode.DIGEST, Mode.OFF] if mode == "mixed" else [mode]
    mail.render_message(kind, context=context)  # the templates loaded before counting

    for n in (1, 5):
        users = UserFactory.create_batch(n * len(modes))
        for index, user in enumerate(users):
            choose(user, "experimentation_messages", modes[index % len(modes)])
        with django_assert_num_queries(queries):
            mail.send(kind, to=[u.email for u in users], context=context)

    assert DigestItem.objects.count() == (6 if Mode.DIGEST in modes else 0)
