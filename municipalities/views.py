from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from calls.extensions import sections
from calls.models import Call
from qmi.http import safe_next
from qmi.models import Applicant
from qmi.permissions import rule_required

from .forms import JoinMunicipalityForm
from .models import InnovationDistrict
from .services import ask_to_act_for


@rule_required("qmi.signed_in")
def join(request):
    """Ask to act for a member commune."""
    form = JoinMunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        commune = form.cleaned_data["commune"]
        try:
            ask_to_act_for(
                commune,
                request.user,
                job_title=form.cleaned_data["job_title"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("commune", error)
        else:
            messages.success(
                request,
                _(
                    "Your request to act for %(name)s is recorded. Paris&Co will confirm it "
                    "shortly; you will receive an e-mail."
                )
                % {"name": commune.name},
            )
            return redirect(safe_next(request) or "dashboard")
    return render(request, "municipalities/join.html", {"form": form, "next": safe_next(request)})


def _district_queryset():
    return InnovationDistrict.objects.published().select_related("commune", "edition")


def district_list(request):
    """The published innovation districts of the current edition and what each offers."""
    districts = (
        _district_queryset()
        .filter(edition__is_current=True)
        .prefetch_related("challenges")
        .order_by("name")
    )
    return render(request, "municipalities/district_list.html", {"districts": districts})


def district_detail(request, slug):
    """One innovation district: its area, challenges, what it offers, the calls covering it."""
    district = get_object_or_404(
        _district_queryset().prefetch_related(
            "challenges",
            Prefetch(
                "calls",
                queryset=Call.objects.published().order_by("opens_at"),
                to_attr="published_calls",
            ),
        ),
        slug=slug,
    )
    return render(
        request,
        "municipalities/district_detail.html",
        # what other apps show there, e.g. the district's experimentations
        {"district": district, "sections": sections("public:district", district, request)},
    )


def dashboard_section(memberships, request):
    """On "My space": the innovation districts of the municipalities the user acts for, each
    published (with its public page) or being prepared by Paris&Co — "" when none."""
    ids = [m.applicant_id for m in memberships if m.applicant.kind == Applicant.Kind.MUNICIPALITY]
    if not ids:
        return ""
    districts = list(
        InnovationDistrict.objects.filter(commune__applicant_id__in=ids)
        .select_related("commune", "edition")
        .order_by("-edition__number", "name")
    )
    if not districts:
        return ""
    return render_to_string(
        "municipalities/dashboard_districts.html", {"districts": districts}, request=request
    )


def next_steps(application):
    """``KindSpec.next_steps``: a selected municipality's innovation district, once staff
    created it from its proposal (at the publication of the results)."""
    district = InnovationDistrict.objects.filter(source_application=application).first()
    if district is None:
        return [(_("Paris&Co will create your innovation district from your proposal."), "")]
    return [
        (
            _("Your innovation district: %(name)s") % {"name": district.name},
            district.get_absolute_url(),
        )
    ]
