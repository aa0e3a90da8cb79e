"""Who may do what in the jury space: each predicate on its own, then the permission matrix of
the pages — an unassigned or conflicted dossier is a 404, scoring outside the scoring phase
and a score out of the scale are refused with nothing saved, the other members' scores stay
hidden until the deliberation."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from calls.domain import access
from evaluation import rules, services
from evaluation.models import Assignment, ConflictDeclaration, Review, Score
from qmi.permissions import allowed
from tests.factories import (
    CallFactory,
    CriterionFactory,
    JuryMemberFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    assigned,
    jury,
    scored,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def call():
    call = CallFactory()
    CriterionFactory(call=call, label_en="Relevance", weight=2, scale_max=5)
    CriterionFactory(call=call, label_en="Capacity", weight=1, scale_max=5)
    jury(call, phase="scoring")
    return call


@pytest.fixture
def application(call):
    return SubmittedApplicationFactory(call=call)


@pytest.fixture
def member(call):
    return JuryMemberFactory(call=call)


def set_phase(call, phase):
    services.set_phase(call, phase, by=StaffFactory())


def reload(assignment):
    return Assignment.objects.select_related(
        "jury_member", "conflict", "application__call__jury"
    ).get(pk=assignment.pk)


def review_post(call, values, *, action="save", recommendation="select", **extra):
    data = {"action": action, "recommendation": recommendation, "overall_opinion": "Solide."}
    for criterion, value in zip(call.criteria.order_by("position"), values, strict=True):
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = f"Note {value}"
    data.update(extra)
    return data


# --- Predicates -------------------------------------------------------------------------------


def test_is_assignee_only_for_the_member_assigned(member, application):
    assignment = assigned(member, application)

    assert rules.is_assignee(member.user, assignment) is True
    assert rules.is_assignee(UserFactory(), assignment) is False


@pytest.mark.parametrize(("conflict", "expected"), [(None, False), (False, True), (True, False)])
def test_has_declared_no_conflict(member, application, conflict, expected):
    assignment = reload(assigned(member, application, conflict=conflict))

    assert rules.has_declared_no_conflict(member.user, assignment) is expected


@pytest.mark.parametrize(("conflict", "expected"), [(None, True), (False, True), (True, False)])
def test_has_not_declared_a_conflict(member, application, conflict, expected):
    assignment = reload(assigned(member, application, conflict=conflict))

    assert rules.has_not_declared_a_conflict(member.user, assignment) is expected


@pytest.mark.parametrize(
    ("phase", "scoring", "others"),
    [
        ("preparation", False, False),
        ("scoring", True, False),
        ("deliberation", False, True),
        ("closed", False, True),
    ],
)
def test_phase_predicates(call, member, application, phase, scoring, others):
    set_phase(call, phase)
    assignment = reload(assigned(member, application, conflict=False))

    assert rules.phase_allows_scoring(member.user, assignment) is scoring
    assert rules.phase_allows_seeing_others_scores(member.user, assignment) is others


def test_superuser_is_not_a_jury_member_by_being_superuser(application, member):
    """Rules are tested with ``test_rule``: a superuser does not pass them for free."""
    assignment = reload(assigned(member, application, conflict=False))

    assert allowed("evaluation.view_dossier", StaffFactory(), assignment) is False


# --- The dossier: 404 unless assigned and not conflicted -------------------------------------


def dossier_urls(application):
    return [
        reverse("evaluation:dossier", args=[application.reference]),
        reverse("evaluation:review", args=[application.reference]),
    ]


def test_unassigned_dossier_is_404(client, member, application):
    client.force_login(member.user)

    codes = [client.get(url).status_code for url in dossier_urls(application)]
    codes.append(
        client.get(reverse("evaluation:declare", args=[application.reference])).status_code
    )

    assert codes == [404, 404, 404]


def test_dossier_before_the_declaration_is_404(client, member, application):
    assigned(member, application)
    client.force_login(member.user)

    assert [client.get(url).status_code for url in dossier_urls(application)] == [404, 404]


def test_conflicted_dossier_is_404_everywhere(client, member, application):
    assigned(member, application, conflict=True)
    attachment = application.attachments.get()
    client.force_login(member.user)

    codes = [client.get(url).status_code for url in dossier_urls(application)]
    codes += [
        client.get(reverse("evaluation:declare", args=[application.reference])).status_code,
        client.get(attachment.get_absolute_url()).status_code,
        client.get(application.urls.dossier).status_code,
    ]

    assert codes == [404] * 5
    assert list(access.jury_scope(member.user)) == []


def test_declared_no_conflict_opens_the_dossier_and_its_attachments(client, member, application):
    assigned(member, application, conflict=False)
    attachment = application.attachments.get()
    client.force_login(member.user)

    codes = [client.get(url).status_code for url in dossier_urls(application)]
    download = client.get(attachment.get_absolute_url())

    assert codes == [200, 200]
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert list(access.jury_scope(member.user)) == [application]


def test_other_jury_member_cannot_reach_my_dossier(client, call, member, application):
    assigned(member, application, conflict=False)
    other = JuryMemberFactory(call=call)
    client.force_login(other.user)

    assert [client.get(url).status_code for url in dossier_urls(application)] == [404, 404]


def test_jury_space_is_404_for_someone_not_on_a_jury(client):
    client.force_login(UserFactory())

    assert client.get(reverse("evaluation:home")).status_code == 404


def test_jury_space_asks_a_visitor_to_sign_in(client, application):
    response = client.get(reverse("evaluation:dossier", args=[application.reference]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Declarations of interests ----------------------------------------------------------------


def test_declaring_a_conflict_needs_a_reason(client, member, application):
    assignment = assigned(member, application)
    client.force_login(member.user)

    response = client.post(
        reverse("evaluation:declare", args=[application.reference]), {"has_conflict": "yes"}
    )

    assert response.status_code == 400
    assert "Say briefly why" in response.content.decode()
    assert not ConflictDeclaration.objects.filter(assignment=assignment).exists()


def test_declaring_a_conflict_hides_the_dossier_for_good(client, member, application):
    assignment = assigned(member, application)
    client.force_login(member.user)

    client.post(
        reverse("evaluation:declare", args=[application.reference]),
        {"has_conflict": "yes", "reason": "J'ai conseillé la commune."},
    )
    again = client.post(
        reverse("evaluation:declare", args=[application.reference]), {"has_conflict": "no"}
    )

    declaration = ConflictDeclaration.objects.get(assignment=assignment)
    assert (declaration.has_conflict, declaration.reason) == (True, "J'ai conseillé la commune.")
    assert again.status_code == 404
    assert client.get(dossier_urls(application)[0]).status_code == 404


def test_no_conflict_then_a_conflict_discovered(member, application):
    assignment = reload(assigned(member, application, conflict=False))

    services.declare_interests(assignment, by=member.user, has_conflict=True, reason="Un cousin.")

    assert ConflictDeclaration.objects.get(assignment=assignment).has_conflict is True


def test_declaration_refused_once_the_jury_is_closed(call, member, application):
    set_phase(call, "closed")
    assignment = reload(assigned(member, application))

    with pytest.raises(services.EvaluationError):
        services.declare_interests(assignment, by=member.user, has_conflict=False)

    assert not ConflictDeclaration.objects.exists()


def test_declarations_cannot_be_deleted(member, application):
    from django.db.models import ProtectedError

    assignment = assigned(member, application, conflict=True)

    with pytest.raises(ProtectedError):
        assignment.delete()


# --- Scoring ----------------------------------------------------------------------------------


def test_save_a_draft_then_finalise(client, call, member, application):
    assignment = assigned(member, application, conflict=False)
    client.force_login(member.user)
    url = reverse("evaluation:review", args=[application.reference])

    draft = client.post(url, review_post(call, [4, ""]))
    final = client.post(url, review_post(call, [4, 1], action="finalise"))

    review = Review.objects.get(assignment=assignment)
    assert (draft.status_code, final.status_code) == (302, 302)
    assert (review.status, review.recommendation, review.total) == ("final", "select", 3.0)
    assert sorted(Score.objects.filter(review=review).values_list("value", flat=True)) == [1, 4]


def test_finalise_needs_every_score_and_a_recommendation(client, call, member, application):
    assignment = assigned(member, application, conflict=False)
    client.force_login(member.user)

    response = client.post(
        reverse("evaluation:review", args=[application.reference]),
        review_post(call, [4, ""], action="finalise", recommendation=""),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Give a score to finalise the review." in html
    assert "Give a recommendation to finalise the review." in html
    assert not Review.objects.filter(assignment=assignment, status="final").exists()


def test_abstain_finalises_without_scores(member, application):
    assignment = reload(assigned(member, application, conflict=False))

    review = services.save_review(
        assignment, by=member.user, scores={}, abstain=True, finalise=True
    )

    assert (review.status, review.abstain, review.total) == ("final", True, None)


def test_score_out_of_the_scale_refused(client, call, member, application):
    assignment = assigned(member, application, conflict=False)
    client.force_login(member.user)

    response = client.post(
        reverse("evaluation:review", args=[application.reference]), review_post(call, [7, 2])
    )

    assert response.status_code == 400
    assert "Give a score from 0 to 5." in response.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()


def test_score_out_of_the_scale_refused_by_the_service(call, member, application):
    assignment = reload(assigned(member, application, conflict=False))
    criterion = call.criteria.first()

    with pytest.raises(services.EvaluationError) as refused:
        services.save_review(assignment, by=member.user, scores={criterion.pk: (6, "")})

    assert list(refused.value.error_dict) == [f"score_{criterion.pk}"]
    assert not Review.objects.exists()


@pytest.mark.parametrize("phase", ["preparation", "deliberation", "closed"])
def test_scoring_outside_the_scoring_phase_refused(client, call, member, application, phase):
    set_phase(call, phase)
    assignment = assigned(member, application, conflict=False)
    client.force_login(member.user)

    response = client.post(
        reverse("evaluation:review", args=[application.reference]),
        review_post(call, [3, 3], action="finalise"),
        follow=True,
    )

    assert "Scoring is not open" in response.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()
    with pytest.raises(services.EvaluationError, match="Scoring is not open"):
        services.save_review(reload(assignment), by=member.user, scores={})


def test_final_review_is_read_only(client, call, member, application):
    assignment = assigned(member, application, conflict=False)
    review = scored(assignment, [2, 2], recommendation="reject")
    client.force_login(member.user)

    response = client.post(
        reverse("evaluation:review", args=[application.reference]),
        review_post(call, [5, 5], action="finalise"),
        follow=True,
    )

    review.refresh_from_db()
    assert "can no longer be changed" in response.content.decode()
    assert (review.recommendation, review.total) == ("reject", 2)


def test_scoring_someone_elses_assignment_is_refused(call, member, application):
    assignment = reload(assigned(member, application, conflict=False))

    with pytest.raises(PermissionDenied):
        services.save_review(assignment, by=UserFactory(), scores={})


# --- Other members' scores --------------------------------------------------------------------


@pytest.fixture
def two_reviews(call, member, application):
    mine = assigned(member, application, conflict=False)
    other = JuryMemberFactory(call=call)
    review = scored(assigned(other, application, conflict=False), [1, 1], recommendation="reject")
    review.overall_opinion = "Opinion très personnelle du second juré."
    review.save()
    return mine, other


@pytest.mark.parametrize(
    ("phase", "visible"),
    [("preparation", False), ("scoring", False), ("deliberation", True), ("closed", True)],
)
def test_other_members_scores_hidden_until_deliberation(
    client, call, member, application, two_reviews, phase, visible
):
    set_phase(call, phase)
    client.force_login(member.user)

    html = client.get(reverse("evaluation:dossier", args=[application.reference])).content.decode()

    assert ("Opinion très personnelle du second juré." in html) is visible
    assert ("The jury's reviews" in html) is visible


def test_conflicted_members_review_never_shown_to_others(
    client, call, member, application, two_reviews
):
    set_phase(call, "deliberation")
    _mine, other = two_reviews
    declaration = ConflictDeclaration.objects.get(assignment__jury_member=other)
    declaration.has_conflict, declaration.reason = True, "Découvert après coup."
    declaration.save()
    client.force_login(member.user)

    html = client.get(reverse("evaluation:dossier", args=[application.reference])).content.decode()

    assert "Opinion très personnelle" not in html


def test_declare_no_conflict_with_every_listed_applicant(client, call, member, application):
    mine = assigned(member, application)
    other_application = SubmittedApplicationFactory(call=call)
    second = assigned(member, other_application)
    someone_elses = assigned(JuryMemberFactory(call=call), application)
    client.force_login(member.user)

    client.post(
        reverse("evaluation:declare_none", args=[call.slug]),
        {"assignment": [mine.pk, second.pk, someone_elses.pk]},
    )

    declared = set(ConflictDeclaration.objects.values_list("assignment", "has_conflict"))
    assert declared == {(mine.pk, False), (second.pk, False)}


def test_reviewer_scopes_are_registered_by_the_apps_that_know_reviewers(
    monkeypatch, member, application
):
    """``calls`` knows no jury: without a registered scope nobody reads as a reviewer; with the
    jury's scope (registered by ``evaluation``) an assigned member reads their application."""
    assigned(member, application, conflict=False)
    assert list(access.jury_scope(member.user)) == [application]

    monkeypatch.setattr(access, "_REVIEWER_SCOPES", [])
    assert list(access.jury_scope(member.user)) == []
