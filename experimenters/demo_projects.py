"""The demo's projects (``experimenters.demo``): one created once per organisation, call and
title, filled with the sample answers (complete) or its first answers (a draft), then taken to
its state — submitted, withdrawn, or screened ineligible during the call."""

from calls.domain import lifecycle, samples
from calls.models import UrbanChallenge
from qmi.models import User

from .models import DistrictWish, Maturity, ProjectApplication, TeamMember
from .services import initial_content

INELIGIBLE_REASON = (
    "Ces casiers sont déjà vendus à plusieurs enseignes : l'appel retient des solutions au "
    "stade du prototype, pas encore commercialisées."
)


def _fill(project, *, complete):
    """A complete project takes the sample answers with a second wished district and member; a
    draft only its first answers."""
    answers = {
        "title": project.title,
        "pitch": "Rafraîchir les places minérales aux heures chaudes, sans climatisation.",
        "references": "Pilote dans une cour d'école à Montreuil en 2025.",
    }
    if complete:
        samples.complete(project.application, **answers)
    else:
        project.pitch = answers["pitch"]
        project.problem = "Les places minérales deviennent des îlots de chaleur l'été."
        project.maturity = Maturity.REAL_CONDITIONS
        project.save()
    districts = list(project.application.call.districts.order_by("pk")[:2])
    for rank, district in enumerate(districts, start=1):
        DistrictWish.objects.get_or_create(
            project=project,
            district=district,
            defaults={
                "rank": rank,
                "reason": "Une place très minérale et des habitants demandeurs d'ombre.",
            },
        )
    TeamMember.objects.get_or_create(
        project=project, name="Léa Martin", defaults={"role": "Cheffe de projet"}
    )
    if complete:
        TeamMember.objects.create(
            project=project, name="Karim Benali", role="Ingénieur capteurs", position=1
        )


def _project(call, organisation, user, title, state, *, complete):
    existing = ProjectApplication.objects.filter(
        application__call=call, application__applicant=organisation.applicant, title=title
    ).first()
    if existing:
        return existing.application
    answers = {
        "structure_type": organisation.structure_type,
        "stage": "prototype",
        "commercialised": False,
        "challenges": UrbanChallenge.objects.filter(code__in=["climate", "public-spaces"]),
        "can_deploy": True,
    }
    application = lifecycle.start_application(
        call, organisation.applicant, by=user, initial=initial_content(answers)
    )
    project = application.project
    project.title = title
    project.save()
    _fill(project, complete=complete)
    owner = organisation.owner()
    if state == "submitted":
        lifecycle.transition(application, "submit", by=owner)
    elif state == "withdrawn":
        lifecycle.transition(application, "withdraw", by=owner, note="Projet réorienté")
    elif state == "ineligible":
        staff = User.objects.filter(is_staff=True).order_by("pk").first()
        lifecycle.transition(application, "submit", by=owner)
        if staff is not None:
            lifecycle.transition(application, "mark_ineligible", by=staff, note=INELIGIBLE_REASON)
    return application
