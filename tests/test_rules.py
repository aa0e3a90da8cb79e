"""Every rule of the portal (``qmi.rules`` and each app's ``rules`` module), granted and refused,
on one small world of applicants, staff and jury members; the view decorator; and the
querysets that filter lists, held to the same answers as the rules."""

from types import SimpleNamespace

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from rules.rulesets import default_rules

from calls.domain.access import dossier_scope
from calls.domain.workflow import TRANSITIONS
from calls.models import Application, ExportJob
from experimenters import experimentation as flow
from experimenters import reports
from experimenters.experimentation import create_for, followed_by
from experimenters.models import Experimentation
from qmi.models import Membership
from qmi.permissions import Find, allowed, require, rule_required
from tests.factories import (
    ApplicationFactory,
    JuryMemberFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    StaffFactory,
    UserFactory,
    assessed,
    assigned,
    jury,
    member_of,
)

pytestmark = pytest.mark.django_db

PORTAL_RULES = ("qmi.", "calls.", "municipalities.", "experimenters.", "evaluation.")


@pytest.fixture
def world():
    """A municipality with a confirmed and a pending member and a draft; an organisation with
    its owner, a member and a draft project; staff; three jury members of the municipality's
    call (no conflict declared, a conflict, nothing declared yet); a stranger; export jobs."""
    w = SimpleNamespace()
    confirmed = MembershipFactory()
    w.municipality = confirmed.applicant
    w.officer = confirmed.user
    w.pending = MembershipFactory(applicant=w.municipality, confirmed_at=None).user
    w.application = ApplicationFactory(member=confirmed)
    w.organisation = OrganisationFactory()
    w.owner = w.organisation.owner()
    w.colleague = member_of(w.organisation)
    w.project = ProjectApplicationFactory(organisation=w.organisation)
    w.unverified = OrganisationFactory(verified=False)
    w.pending_owner = w.unverified.owner()
    w.unverified_project = ProjectApplicationFactory(organisation=w.unverified)
    w.staff = StaffFactory()
    w.former_staff = StaffFactory(is_active=False)
    w.stranger = UserFactory()
    w.anonymous = AnonymousUser()
    call = w.application.call
    w.reviewer, w.conflicted, w.undeclared = (JuryMemberFactory(call=call) for _ in range(3))
    w.review = assigned(w.reviewer, w.application, conflict=False)
    w.conflict = assigned(w.conflicted, w.application, conflict=True)
    w.undeclared_assignment = assigned(w.undeclared, w.application)
    w.job = ExportJob.objects.create(requested_by=w.reviewer.user, format=ExportJob.Format.CSV)
    w.district = w.project.call.districts.order_by("pk").first()
    w.experimentation, _created = create_for(w.project, district=w.district, by=w.staff)
    w.district_officer = MembershipFactory(
        applicant=MunicipalityFactory(commune=w.district.commune)
    ).user
    w.report, w.filed_report = list(w.experimentation.reports.order_by("due_at"))[:2]
    w.filed_report.submitted_at = w.filed_report.due_at
    w.filed_report.save()
    w.assessment = assessed(w.experimentation)
    jury(call, phase="scoring")
    return w


def user(name):
    """The user called ``name`` in the world (a jury member's user for a seat)."""

    def get(w):
        person = getattr(w, name)
        return getattr(person, "user", person)

    return get


def obj(name):
    return lambda w: getattr(w, name) if name else None


# (rule, who, on what, granted?, jury phase) — one line per answer that matters.
CASES = [
    ("qmi.signed_in", "stranger", None, True, None),
    ("qmi.signed_in", "anonymous", None, False, None),
    ("qmi.signed_in", "former_staff", None, False, None),
    ("qmi.is_staff", "staff", None, True, None),
    ("qmi.is_staff", "former_staff", None, False, None),
    ("qmi.is_staff", "officer", None, False, None),
    ("qmi.act_for", "officer", "municipality", True, None),
    ("qmi.act_for", "pending", "municipality", False, None),
    ("qmi.act_for", "colleague", "municipality", False, None),
    ("qmi.act_for", "staff", "municipality", False, None),
    ("qmi.act_for", "colleague", "organisation", True, None),
    ("qmi.own", "owner", "organisation", True, None),
    ("qmi.own", "colleague", "organisation", False, None),
    ("qmi.own", "officer", "municipality", False, None),
    ("qmi.speak_for", "owner", "organisation", True, None),
    ("qmi.speak_for", "colleague", "organisation", False, None),
    ("qmi.speak_for", "officer", "municipality", True, None),
    ("qmi.speak_for", "pending", "municipality", False, None),
    ("qmi.speak_for", "pending_owner", "unverified", True, None),
    ("qmi.submit_for", "owner", "organisation", True, None),
    ("qmi.submit_for", "pending_owner", "unverified", False, None),
    ("qmi.submit_for", "colleague", "organisation", False, None),
    ("qmi.submit_for", "officer", "municipality", True, None),
    ("qmi.confirm_membership", "staff", None, True, None),
    ("qmi.confirm_membership", "officer", None, False, None),
    ("calls.view_application", "officer", "application", True, None),
    ("calls.view_application", "pending", "application", False, None),
    ("calls.view_application", "staff", "application", False, None),
    ("calls.view_application", "reviewer", "application", False, None),
    ("calls.edit_application", "colleague", "project", True, None),
    ("calls.edit_application", "officer", "project", False, None),
    ("calls.start_application", "colleague", "organisation", True, None),
    ("calls.start_application", "pending", "municipality", False, None),
    ("calls.reopen_application", "owner", "project", True, None),
    ("calls.reopen_application", "colleague", "project", False, None),
    ("calls.reopen_application", "officer", "application", True, None),
    ("calls.reopen_application", "staff", "project", False, None),
    ("calls.withdraw_application", "pending_owner", "unverified_project", True, None),
    ("calls.withdraw_application", "colleague", "project", False, None),
    ("calls.commit_application", "owner", "project", True, None),
    ("calls.commit_application", "pending_owner", "unverified_project", False, None),
    ("calls.commit_application", "colleague", "project", False, None),
    ("calls.commit_application", "officer", "application", True, None),
    ("calls.commit_application", "stranger", "application", False, None),
    ("calls.screen_application", "staff", "application", True, None),
    ("calls.screen_application", "officer", "application", False, None),
    ("calls.decide_application", "staff", "application", True, None),
    ("calls.decide_application", "reviewer", "application", False, None),
    ("calls.answer_offer", "owner", "project", True, None),
    ("calls.answer_offer", "colleague", "project", False, None),
    ("calls.answer_offer", "officer", "application", True, None),
    ("calls.answer_offer", "staff", "application", False, None),
    ("calls.grant_extension", "staff", None, True, None),
    ("calls.grant_extension", "officer", None, False, None),
    ("calls.read_files", "officer", "application", True, None),
    ("calls.read_files", "staff", "application", True, None),
    ("calls.read_files", "reviewer", "application", True, None),
    ("calls.read_files", "conflicted", "application", False, None),
    ("calls.read_files", "undeclared", "application", False, None),
    ("calls.read_files", "stranger", "application", False, None),
    ("calls.read_dossier", "staff", "application", True, None),
    ("calls.read_dossier", "reviewer", "application", True, None),
    ("calls.read_dossier", "reviewer", "project", False, None),
    ("calls.read_dossier", "officer", "application", False, None),
    ("calls.read_dossier", "conflicted", "application", False, None),
    ("calls.request_exports", "staff", None, True, None),
    ("calls.request_exports", "reviewer", None, True, None),
    ("calls.request_exports", "conflicted", None, False, None),
    ("calls.request_exports", "officer", None, False, None),
    ("calls.follow_export", "reviewer", "job", True, None),
    ("calls.follow_export", "staff", "job", True, None),
    ("calls.follow_export", "conflicted", "job", False, None),
    ("municipalities.create_district", "staff", "application", True, None),
    ("municipalities.create_district", "officer", "application", False, None),
    ("experimenters.view_experimentation", "colleague", "experimentation", True, None),
    ("experimenters.view_experimentation", "district_officer", "experimentation", True, None),
    ("experimenters.view_experimentation", "staff", "experimentation", True, None),
    ("experimenters.view_experimentation", "officer", "experimentation", False, None),
    ("experimenters.view_experimentation", "stranger", "experimentation", False, None),
    ("experimenters.converse", "colleague", "experimentation", True, None),
    ("experimenters.converse", "district_officer", "experimentation", True, None),
    ("experimenters.converse", "staff", "experimentation", True, None),
    ("experimenters.converse", "reviewer", "experimentation", False, None),
    ("experimenters.converse", "pending", "experimentation", False, None),
    ("experimenters.upload_agreement", "colleague", "experimentation", True, None),
    ("experimenters.upload_agreement", "district_officer", "experimentation", False, None),
    ("experimenters.upload_agreement", "staff", "experimentation", False, None),
    ("experimenters.steer_experimentation", "staff", "experimentation", True, None),
    ("experimenters.steer_experimentation", "owner", "experimentation", False, None),
    ("experimenters.check_documents", "staff", "experimentation", True, None),
    ("experimenters.check_documents", "colleague", "experimentation", False, None),
    ("experimenters.view_report", "colleague", "report", True, None),
    ("experimenters.view_report", "staff", "report", True, None),
    ("experimenters.view_report", "district_officer", "filed_report", True, None),
    ("experimenters.view_report", "district_officer", "report", False, None),
    ("experimenters.view_report", "officer", "filed_report", False, None),
    ("experimenters.view_report", "reviewer", "filed_report", False, None),
    ("experimenters.write_report", "colleague", "report", True, None),
    ("experimenters.write_report", "district_officer", "report", False, None),
    ("experimenters.write_report", "staff", "report", False, None),
    ("experimenters.write_report", "pending", "report", False, None),
    ("experimenters.review_report", "staff", "filed_report", True, None),
    ("experimenters.review_report", "owner", "filed_report", False, None),
    ("evaluation.sit_on_jury", "reviewer", "reviewer", True, None),
    ("evaluation.sit_on_jury", "conflicted", "reviewer", False, None),
    ("evaluation.open_declaration", "undeclared", "undeclared_assignment", True, None),
    ("evaluation.open_declaration", "reviewer", "review", True, None),
    ("evaluation.open_declaration", "conflicted", "conflict", False, None),
    ("evaluation.open_declaration", "reviewer", "undeclared_assignment", False, None),
    ("evaluation.declare_interests", "undeclared", "undeclared_assignment", True, "preparation"),
    ("evaluation.declare_interests", "undeclared", "undeclared_assignment", False, "closed"),
    ("evaluation.declare_interests", "conflicted", "conflict", False, "preparation"),
    ("evaluation.view_dossier", "reviewer", "review", True, None),
    ("evaluation.view_dossier", "undeclared", "undeclared_assignment", False, None),
    ("evaluation.view_dossier", "conflicted", "conflict", False, None),
    ("evaluation.view_dossier", "staff", "review", False, None),
    ("evaluation.score", "reviewer", "review", True, "scoring"),
    ("evaluation.score", "reviewer", "review", False, "deliberation"),
    ("evaluation.score", "undeclared", "undeclared_assignment", False, "scoring"),
    ("evaluation.see_others_scores", "reviewer", "review", True, "deliberation"),
    ("evaluation.see_others_scores", "reviewer", "review", False, "scoring"),
    ("evaluation.see_others_scores", "conflicted", "conflict", False, "deliberation"),
    ("evaluation.run_selection", "staff", None, True, None),
    ("evaluation.run_selection", "reviewer", None, False, None),
    ("evaluation.place_laureates", "staff", None, True, None),
    ("evaluation.place_laureates", "reviewer", None, False, None),
    ("evaluation.publish_results", "staff", None, True, None),
    ("evaluation.publish_results", "officer", None, False, None),
    ("evaluation.export_scores", "staff", None, True, None),
    ("evaluation.export_scores", "reviewer", None, False, None),
    ("evaluation.assess", "colleague", "assessment", True, None),
    ("evaluation.assess", "district_officer", "assessment", True, None),
    ("evaluation.assess", "staff", "assessment", True, None),  # no project manager named
    ("evaluation.assess", "officer", "assessment", False, None),
    ("evaluation.assess", "reviewer", "assessment", False, None),
    ("evaluation.assess", "pending", "assessment", False, None),
    ("evaluation.assess", "stranger", "assessment", False, None),
    ("evaluation.run_assessment", "staff", None, True, None),
    ("evaluation.run_assessment", "district_officer", None, False, None),
]


@pytest.mark.parametrize(
    ("rule", "who", "what", "granted", "phase"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{'granted' if c[3] else 'refused'}-{c[4] or ''}" for c in CASES],
)
def test_rule(world, rule, who, what, granted, phase):
    if phase:
        jury(world.application.call, phase=phase)
    target = obj(what)(world)
    if target is not None and hasattr(target, "refresh_from_db"):
        target.refresh_from_db()  # the jury phase is read from the database

    assert allowed(rule, user(who)(world), target) is granted


def test_every_rule_of_the_portal_is_tested_both_ways():
    portal = {name for name in default_rules if name.startswith(PORTAL_RULES)}
    answers = {}
    for rule, _who, _what, granted, _phase in CASES:
        answers.setdefault(rule, set()).add(granted)

    assert {name for name in portal if answers.get(name) != {True, False}} == set()


def test_every_transition_names_a_rule_of_the_portal():
    workflows = [TRANSITIONS, flow.TRANSITIONS, reports.TRANSITIONS]
    unknown = {
        t.name: t.rule
        for transitions in workflows
        for t in transitions.values()
        if not rules.rule_exists(t.rule)
    }

    assert unknown == {}


def test_require_raises_permission_denied_on_refusal(world):
    require("calls.screen_application", world.staff, world.application)

    with pytest.raises(PermissionDenied):
        require("calls.screen_application", world.officer, world.application)


def test_a_membership_is_read_once_per_rule_test(world, django_assert_num_queries):
    applicant = world.organisation.applicant
    with django_assert_num_queries(1):
        assert allowed("qmi.speak_for", world.colleague, applicant) is False


# --- The view decorator --------------------------------------------------------------------


@rule_required("calls.view_application", Find(Application.objects.all(), "reference"))
def _application_view(request, application):
    return HttpResponse(application.reference)


def _get(user, **kwargs):
    request = RequestFactory().get("/somewhere/?step=2")
    request.user = user
    return _application_view(request, **kwargs)


def test_decorator_sends_an_anonymous_visitor_to_sign_in(world):
    response = _get(AnonymousUser(), reference=world.application.reference)

    assert response.status_code == 302
    assert "next=/somewhere/%3Fstep%3D2" in response["Location"]


def test_decorator_passes_the_object_to_the_view_when_the_rule_grants(world):
    response = _get(world.officer, reference=world.application.reference)

    assert response.content.decode() == world.application.reference


@pytest.mark.parametrize("who", ["stranger", "pending", "staff"])
def test_decorator_answers_404_on_refusal(world, who):
    with pytest.raises(Http404):
        _get(getattr(world, who), reference=world.application.reference)


def test_decorator_answers_404_for_an_unknown_object(world):
    with pytest.raises(Http404):
        _get(world.officer, reference="NOPE-0000")


# --- Lists say what the rules say ----------------------------------------------------------

PEOPLE = ["officer", "pending", "owner", "colleague", "staff", "stranger"]
JURY = ["reviewer", "conflicted", "undeclared"]


@pytest.mark.parametrize("who", PEOPLE + JURY)
def test_the_applicant_side_list_shows_exactly_what_view_application_grants(world, who):
    person = user(who)(world)
    listed = set(Application.objects.visible_to(person).values_list("pk", flat=True))
    granted = {
        a.pk
        for a in Application.objects.select_related("applicant")
        if allowed("calls.view_application", person, a)
    }

    assert listed == granted


@pytest.mark.parametrize("who", PEOPLE + JURY)
def test_dossier_scope_holds_exactly_what_read_dossier_grants(world, who):
    person = user(who)(world)
    listed = set(dossier_scope(person).values_list("pk", flat=True))
    granted = {a.pk for a in Application.objects.all() if allowed("calls.read_dossier", person, a)}

    assert listed == granted


def test_a_pending_membership_gives_nothing_until_staff_confirm_it(world):
    membership = Membership.objects.get(user=world.pending)
    assert allowed("calls.view_application", world.pending, world.application) is False

    membership.confirmed_at = world.application.created_at
    membership.save()

    assert allowed("calls.view_application", world.pending, world.application) is True


# Staff read every experimentation in the admin; they follow none.
@pytest.mark.parametrize("who", [*(p for p in PEOPLE if p != "staff"), *JURY, "district_officer"])
def test_the_experimentations_i_follow_are_exactly_those_the_rule_lets_me_read(world, who):
    person = user(who)(world)
    listed = set(followed_by(person).values_list("pk", flat=True))
    granted = {
        e.pk
        for e in Experimentation.objects.select_related("application__applicant", "district")
        if allowed("experimenters.view_experimentation", person, e)
    }

    assert listed == granted
