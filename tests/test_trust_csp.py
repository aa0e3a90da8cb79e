"""The Content-Security-Policy holds on every page people use: the demo's pages crawled as a
visitor, an applicant, a jury member and staff (the admin's lists and forms included) carry the
policy and no inline script, style element, style attribute or event handler it would refuse."""

import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from calls.models import Call, Session
from evaluation.models import AssessmentCampaign
from qmi.models import User
from tests.factories import with_second_factor

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE = re.compile(r"<style\b([^>]*)>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def refused_by_the_policy(html, nonce):
    """What a browser would refuse on the page: (kind, excerpt) pairs."""
    found = []
    for match in SCRIPT.finditer(html):
        attributes = match.group(1)
        if "src=" in attributes or "application/json" in attributes:
            continue
        if f'nonce="{nonce}"' not in attributes:
            found.append(("inline script", match.group(0)))
    for match in STYLE.finditer(html):
        if f'nonce="{nonce}"' not in match.group(1):
            found.append(("style element", match.group(0)))
    found += [("style attribute", m.group(0)[:80]) for m in STYLE_ATTRIBUTE.finditer(html)]
    found += [("event handler", m.group(0)[:80]) for m in HANDLER.finditer(html)]
    if "javascript:" in html:
        found.append(("javascript: URL", ""))
    return found


def nonce_of(response):
    policy = response.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([^']+)'", policy)
    return match.group(1) if match else None


def check(client, url, problems):
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    policy = response.get("Content-Security-Policy", "")
    if "default-src 'self'" not in policy or "object-src 'none'" not in policy:
        problems.append((url, "no policy", policy))
        return
    for kind, excerpt in refused_by_the_policy(response.content.decode(), nonce_of(response)):
        problems.append((url, kind, excerpt))


def signed_in(email):
    client = Client()
    user = User.objects.get(email=email)
    if user.is_staff or user.jury_seats.exists():
        with_second_factor(user)
    client.force_login(user)
    return client


def admin_pages():
    """Every model's list in the admin, and the form of its first object."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        try:
            urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        except NoReverseMatch:
            continue
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


def test_no_page_of_the_demo_needs_what_the_policy_refuses(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    problems = []
    visitor = Client()
    public = [reverse("home"), reverse("calls:timeline"), reverse("calls:faq")]
    public += [reverse("calls:sessions"), reverse("sitemap"), reverse("accessibility")]
    public += [call.get_absolute_url() for call in Call.objects.published()]
    public += [session.get_absolute_url() for session in Session.objects.public()]
    public += [c.get_absolute_url() for c in AssessmentCampaign.objects.exclude(published_at=None)]
    for url in public:
        check(visitor, url, problems)

    officer = signed_in("mairie@qmi.example")
    for url in [reverse("dashboard"), reverse("qmi:profile")]:
        check(officer, url, problems)
    municipality = User.objects.get(email="mairie@qmi.example").applicants.first()
    for application in municipality.applications.all():
        for url in (application.urls.edit, application.urls.review):
            check(officer, url, problems)

    juror = signed_in("jury1@qmi.example")
    check(juror, reverse("evaluation:home"), problems)

    staff = signed_in("staff@qmi.example")
    for url in admin_pages():
        check(staff, url, problems)
    for campaign in AssessmentCampaign.objects.all():  # the charts' styles carry the nonce
        url = reverse("admin:evaluation_assessmentcampaign_dashboard", args=[campaign.pk])
        check(staff, url, problems)
        assert "pygal-chart" in staff.get(url).content.decode()

    assert problems == []
