"""The jury space: my calls, the applications assigned to me (declare my interests first), a
dossier, my review. Thin: find my seat or my assignment, pass the view's rule
(``evaluation.rules``, through ``qmi.permissions.rule_required``), call a service, render. A
refusal on someone else's object — or on a dossier I declared a conflict on — is a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from calls.domain.kinds import content_relations, spec_for
from qmi.permissions import Find, allowed, rule_required

from . import ranking, services
from .forms import DeclarationForm, ReviewForm
from .models import Assignment, JuryMember, Review, Score

PER_PAGE = 25


def _my_assignments(request):
    return Assignment.objects.of(request.user).select_related(
        "jury_member",
        "conflict",
        "application__call__edition",
        "application__call__jury",
        "application__applicant",
        "review",
    )


# My seat on the jury of the call of the URL; my assignment of the application of the URL.
my_seat = Find(
    lambda request: JuryMember.objects.of(request.user).select_related(
        "call__edition", "call__jury"
    ),
    "call__slug",
    "slug",
)
my_assignment = Find(_my_assignments, "application__reference", "reference")


def _progress(to=""):
    """Counts of assignments by progress, as aggregates; ``to`` is the path from the model
    counted on to its assignments (``"assignments__"`` from a jury member)."""

    def count(**conditions):
        return Count(f"{to}pk", filter=Q(**{f"{to}{k}": v for k, v in conditions.items()}))

    declared = {"conflict__has_conflict": False}
    return {
        "total": Count(f"{to}pk"),
        "undeclared": count(conflict__isnull=True),
        "conflicts": count(conflict__has_conflict=True),
        "declared": count(**declared),
        "draft": count(**declared, review__status=Review.Status.DRAFT),
        "done": count(**declared, review__status=Review.Status.FINAL),
    }


@rule_required("qmi.signed_in")
def home(request):
    """My calls as a jury member, with my progress in each."""
    seats = list(
        JuryMember.objects.of(request.user)
        .select_related("call__edition", "call__jury")
        .annotate(**_progress("assignments__"))
        .order_by("-call__opens_at")
    )
    if not seats:
        raise Http404
    return render(request, "evaluation/home.html", {"seats": seats})


@rule_required("evaluation.sit_on_jury", my_seat)
def call_dossiers(request, seat):
    """The applications assigned to me in a call: first those I must declare my interests
    on, then my dossiers with their progress (to do, draft, done)."""
    mine = Assignment.objects.filter(jury_member=seat)
    counts = mine.aggregate(**_progress())
    contents = [f"application__{relation}" for relation in content_relations()]
    base = mine.select_related("application__applicant", *contents).order_by(
        "application__reference"
    )
    undeclared = Paginator(base.filter(conflict__isnull=True), PER_PAGE).get_page(
        request.GET.get("declare")
    )
    dossiers = Paginator(
        base.filter(conflict__has_conflict=False).select_related("review"), PER_PAGE
    ).get_page(request.GET.get("page"))
    jury = getattr(seat.call, "jury", None)
    return render(
        request,
        "evaluation/call.html",
        {
            "seat": seat,
            "call": seat.call,
            "jury": jury,
            "counts": counts,
            "to_do": counts["declared"] - counts["draft"] - counts["done"],
            "undeclared": [
                (a, DeclarationForm(prefix_id=f"a{a.pk}")) for a in undeclared.object_list
            ],
            "undeclared_page": undeclared,
            "dossiers": dossiers,
            "conflicts": counts["conflicts"],
        },
    )


@rule_required("evaluation.sit_on_jury", my_seat)
@require_POST
def declare_none(request, seat):
    """Declare no conflict of interest with every applicant listed (those still undeclared on
    the page the member saw)."""
    ids = [int(pk) for pk in request.POST.getlist("assignment") if pk.isdigit()]
    assignments = Assignment.objects.filter(
        jury_member=seat, pk__in=ids, conflict__isnull=True
    ).select_related("jury_member", "application__call__jury")
    declared = 0
    for assignment in assignments:
        try:
            services.declare_interests(assignment, by=request.user, has_conflict=False)
        except services.EvaluationError as error:
            messages.error(request, " ".join(error.messages))
            break
        declared += 1
    if declared:
        messages.success(
            request,
            ngettext(
                "Your declaration is recorded for %(n)d applicant: you can read the dossier.",
                "Your declaration is recorded for %(n)d applicants: you can read their dossiers.",
                declared,
            )
            % {"n": declared},
        )
    return redirect("evaluation:call", slug=seat.call.slug)


@rule_required("evaluation.open_declaration", my_assignment)
def declare(request, assignment):
    """Declare whether I have a conflict of interest with an assigned applicant (a conflicted
    member no longer reaches anything of the application)."""
    reference = assignment.application.reference
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_interests(
                assignment,
                by=request.user,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"],
            )
        except services.EvaluationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form.cleaned_data["has_conflict"]:
                messages.success(
                    request,
                    _(
                        "Your conflict of interest with %(name)s is recorded: this dossier is "
                        "withdrawn from your list."
                    )
                    % {"name": assignment.application.applicant.name},
                )
                return redirect("evaluation:call", slug=assignment.application.call.slug)
            messages.success(request, _("Your declaration is recorded: you can read the dossier."))
            return redirect("evaluation:dossier", reference=reference)
    return render(
        request,
        "evaluation/declare.html",
        {"assignment": assignment, "application": assignment.application, "form": form},
        status=400 if form.errors else 200,
    )


def _other_reviews(assignment):
    """The final reviews of the other members who declared no conflict, with their scores."""
    return list(
        Review.objects.filter(
            assignment__application=assignment.application,
            assignment__conflict__has_conflict=False,
            status=Review.Status.FINAL,
        )
        .exclude(assignment=assignment)
        .select_related("assignment__jury_member__user")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("assignment__jury_member__user__email")
    )


@rule_required("evaluation.view_dossier", my_assignment)
def dossier(request, assignment):
    """All the answers and attachments of an assigned application, my review's state and —
    once the deliberation is open — the other members' reviews."""
    application = assignment.application
    others_visible = allowed("evaluation.see_others_scores", request.user, assignment)
    aggregate = None
    if others_visible:
        aggregate = ranking.scores_for([(application.pk, application.call_id)])[application.pk]
    return render(
        request,
        "evaluation/dossier.html",
        {
            "assignment": assignment,
            "application": application,
            "call": application.call,
            "content": application.content,
            "summary_template": spec_for(application.kind).summary_template,
            "attachments": list(application.attachments.all()),
            "review": getattr(assignment, "review", None),
            "can_score": allowed("evaluation.score", request.user, assignment),
            "others_visible": others_visible,
            "others": _other_reviews(assignment) if others_visible else [],
            "aggregate": aggregate,
        },
    )


@rule_required("evaluation.view_dossier", my_assignment)
def review(request, assignment):
    """My review of an assigned application: a score and a comment per criterion, my overall
    opinion, my recommendation or my abstention. "Save the draft" keeps it; "Finalise" makes
    it final and read-only. Refused outside the scoring phase."""
    application = assignment.application
    criteria = services.criteria_of(application.call)
    existing = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    scores = {s.criterion_id: s for s in existing.scores.all()} if existing else {}
    can_score = allowed("evaluation.score", request.user, assignment)
    read_only = (existing is not None and existing.is_final) or not can_score
    form = ReviewForm(
        request.POST if request.method == "POST" and not read_only else None,
        criteria=criteria,
        initial=ReviewForm.initial_from(existing),
    )
    if request.method == "POST":
        if read_only:
            messages.error(
                request,
                _("This review is final: it can no longer be changed.")
                if existing is not None and existing.is_final
                else _("Scoring is not open for this call's jury: your review was not saved."),
            )
            return redirect("evaluation:review", reference=application.reference)
        if form.is_valid():
            finalise = request.POST.get("action") == "finalise"
            try:
                services.save_review(
                    assignment,
                    by=request.user,
                    scores=form.scores(),
                    overall_opinion=form.cleaned_data["overall_opinion"],
                    recommendation=form.cleaned_data["recommendation"],
                    abstain=form.cleaned_data["abstain"],
                    finalise=finalise,
                )
            except PermissionDenied:
                raise Http404 from None
            except services.EvaluationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                if finalise:
                    messages.success(request, _("Your review is final. Thank you."))
                    return redirect("evaluation:dossier", reference=application.reference)
                messages.success(request, _("Your draft review is saved."))
                return redirect("evaluation:review", reference=application.reference)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(
        request,
        "evaluation/review.html",
        {
            "assignment": assignment,
            "application": application,
            "call": application.call,
            "form": form,
            "review": existing,
            "read_only": read_only,
            "can_score": can_score,
            "score_rows": [(c, scores.get(c.pk)) for c in criteria],
        },
        status=400 if form.errors else 200,
    )
