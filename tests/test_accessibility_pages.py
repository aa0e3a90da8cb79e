"""Accessibility beyond the pages' markup, as a person or a screen reader meets it: the
accessibility statement in the RGAA model's form and its multi-year plan, the site map (a second
way to reach the pages), the footer's mention; the error summary at the top of the sign-up,
sign-in, password reset, jury scoring and export forms (focused, linking to each field); a
score's guidance and error both describing the field; the commitments in words; the job title's
autocomplete; allauth's e-mails bilingual in the portal's style."""

import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from evaluation.models import Criterion
from municipalities.forms import JoinMunicipalityForm
from tests.factories import (
    CallFactory,
    CriterionFactory,
    JuryMemberFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    assigned,
    jury,
)
from tests.html import element

pytestmark = pytest.mark.django_db


def html_of(response):
    return response.content.decode()


def assert_error_summary(response, *, linked_fields=()):
    """The summary is there, announced, focusable by script and focused on load; each link
    goes to a field that exists on the page."""
    summary = element(response, "form-errors")
    assert summary is not None, "no error summary"
    assert summary.attrs["role"] == "alert"
    assert summary.attrs["tabindex"] == "-1"
    assert "data-focus-on-load" in summary.attrs
    html = html_of(response)
    block = html[html.index('id="form-errors"') :]
    block = block[: block.index("</div>")]
    anchors = re.findall(r'href="#([^"]+)"', block)
    for anchor in anchors:
        assert element(response, anchor) is not None, f"the summary links to a missing #{anchor}"
    for field in linked_fields:
        assert field in anchors, f"no link to #{field}"
    assert html_of(response).count('id="form-errors"') == 1
    return anchors


# --- Statement, plan, site map, footer ---------------------------------------------------------


def test_the_statement_says_non_compliant_in_the_rgaa_model_form(client, in_english):
    response = client.get(reverse("accessibility"))
    text = " ".join(html_of(response).split())

    assert "is <strong>non-compliant</strong> with the RGAA" in text
    assert "version 4.1.2. The site has not yet been audited." in text
    for heading in (
        "Compliance status",
        "Test results",
        "Non-accessible content",
        "Content not subject to the accessibility obligation",
        "Preparation of this statement",
        "Feedback and contact",
        "Legal recourse",
    ):
        assert heading in text
    assert f'href="{reverse("accessibility_plan")}"' in text
    assert f'href="{reverse("sitemap")}"' in text


def test_the_multi_year_plan_has_its_years_and_this_years_action_plan(client, in_english):
    response = client.get(reverse("accessibility_plan"))

    assert response.status_code == 200
    assert element(response, "action-plan").text.startswith("Action plan for ")
    assert "Multi-year plan" in html_of(response)


def test_the_footer_says_non_compliant_and_links_the_site_map(client, in_english):
    html = html_of(client.get(reverse("legal")))
    footer = html[html.index("<footer") :]

    assert f'<a href="{reverse("accessibility")}">Accessibility: non-compliant</a>' in footer
    assert f'<a href="{reverse("sitemap")}">Site map</a>' in footer


def test_the_site_map_lists_the_public_pages_to_a_visitor(client, in_english):
    response = client.get(reverse("sitemap"))
    html = html_of(response)

    for name in ("home", "calls:timeline", "municipalities:districts", "calls:faq", "legal"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("account_login")}"' in html
    assert f'href="{reverse("dashboard")}"' not in html


def test_the_site_map_lists_the_spaces_of_a_signed_in_jury_member(client, in_english):
    call = CallFactory()
    jury(call, phase="scoring")
    member = JuryMemberFactory(call=call)
    client.force_login(member.user)
    session = client.session
    session["qmi_jury"] = True
    session.save()

    html = html_of(client.get(reverse("sitemap")))

    for name in ("dashboard", "qmi:profile", "evaluation:home", "account_change_password"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("admin:index")}"' not in html


# --- Error summaries ---------------------------------------------------------------------------


def test_sign_up_errors_are_summed_up_and_linked_to_their_fields(client, in_english):
    response = client.post(
        reverse("account_signup"), {"email": "not an address", "password1": "a", "password2": "b"}
    )

    assert response.status_code == 200
    anchors = assert_error_summary(response, linked_fields=["id_email"])
    assert html_of(response).count("<title>Error:") == 1
    assert anchors


def test_sign_in_error_is_summed_up_and_focused(client, in_english):
    UserFactory(email="agent@ville.example")
    response = client.post(
        reverse("account_login"), {"login": "agent@ville.example", "password": "wrong"}
    )

    assert_error_summary(response)


def test_password_reset_error_is_summed_up(client, in_english):
    response = client.post(reverse("account_reset_password"), {"email": "nope"})

    assert_error_summary(response, linked_fields=["id_email"])


@pytest.fixture
def scoring(client):
    call = CallFactory()
    relevance = CriterionFactory(
        call=call, label_en="Relevance", guidance_en="Does it answer a need?", scale_max=5
    )
    capacity = CriterionFactory(call=call, label_en="Capacity", scale_max=5)
    jury(call, phase="scoring")
    member = JuryMemberFactory(call=call)
    application = SubmittedApplicationFactory(call=call)
    assigned(member, application, conflict=False)
    client.force_login(member.user)
    return reverse("evaluation:review", args=[application.reference]), relevance, capacity


def test_a_score_error_is_summed_up_and_keeps_the_criterions_guidance(client, in_english, scoring):
    url, relevance, capacity = scoring
    response = client.post(
        url,
        {
            "action": "save",
            f"score_{relevance.pk}": 9,
            f"score_{capacity.pk}": 2,
            "recommendation": "select",
        },
    )

    assert response.status_code == 400
    field_id = f"id_score_{relevance.pk}"
    assert_error_summary(response, linked_fields=[field_id])
    assert "Relevance" in element(response, "form-errors").text  # which criterion
    described_by = element(response, field_id).attrs["aria-describedby"].split()
    assert described_by == [f"guidance-{relevance.pk}", f"{field_id}_error"]
    assert element(response, f"guidance-{relevance.pk}").text == "Does it answer a need?"
    assert element(response, f"{field_id}_error").text == "Give a score from 0 to 5."
    # a criterion without guidance is described by its error only when it has one
    assert "aria-describedby" not in element(response, f"id_score_{capacity.pk}").attrs


def test_the_export_form_sums_up_its_errors(client, in_english):
    client.force_login(StaffFactory())
    response = client.post(reverse("calls:export_new"), {"format": "bogus"})

    assert_error_summary(response, linked_fields=["id_call"])


# --- Words, autocomplete, e-mails, admin -------------------------------------------------------


def test_commitments_are_written_in_words_not_only_symbols(db):
    application = SubmittedApplicationFactory()
    content = application.content
    content.commits_to_training = False
    with translation.override("en"):
        html = render_to_string("municipalities/application_summary.html", {"content": content})

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Committed: The municipality will facilitate the experiments" in text
    assert "Not committed: The municipality will take part in the training days." in text
    assert '<span aria-hidden="true">✔</span>' in html


def test_the_job_title_field_autocompletes_as_an_organisation_title():
    assert 'autocomplete="organization-title"' in str(JoinMunicipalityForm()["job_title"])


def test_account_e_mails_are_in_french_then_english_in_the_portals_style(client):
    UserFactory(email="agent@ville.example")
    client.post(reverse("account_reset_password"), {"email": "agent@ville.example"})

    message = mail.outbox[0]
    french, english = message.body.split("\n\n" + "—" * 40 + "\n\n")
    link = re.search(r"http\S+/accounts/password/reset/key/\S+", english).group(0)
    assert link in french
    assert english.startswith("Hello,")
    assert english.rstrip().endswith("Métropole du Grand Paris and Paris&Co")
    assert message.subject.startswith("[QMI] ")
    assert message.subject.endswith(" / Choose a new password")


def test_the_ordering_position_has_its_own_msgid_apart_from_the_job_title():
    field = Criterion._meta.get_field("position")
    with translation.override("fr"):
        assert str(field.verbose_name).lower() != "fonction"


def test_the_sign_up_confirmation_link_is_in_both_languages(client):
    password = "Xy7!kk-Lmn-opq"
    client.post(
        reverse("account_signup"),
        {
            "email": "new@ville.example",
            "password1": password,
            "password2": password,
            "first_name": "Ada",
            "last_name": "Lovelace",
        },
    )

    parts = mail.outbox[-1].body.split("\n\n" + "—" * 40 + "\n\n")
    links = [re.search(r"http\S+/accounts/confirm-email/\S+", part) for part in parts]
    assert len(parts) == 2 and all(links) and links[0].group(0) == links[1].group(0)
