"""Demo data of the experimentations that follow the publication of the waves: of the 2025
wave, one being prepared, one running with its reports and conversation; of the 2024 wave,
five that ran with every report filed and have ended, for the assessment (``follow_up``, run
by ``seed_demo`` once every app has seeded)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.domain import samples
from qmi.models import User

from . import conversation, reports
from . import experimentation as flow
from .models import Experimentation, add_months

EARLIER_SLUG = "appel-experimentations-2025"  # the published 2025 wave (``demo._waves``)
FINISHED_SLUG = "appel-experimentations-2024"  # the 2024 wave: ended, assessed in 2026
STARTED_DAYS_AGO = 120
FINISHED_STARTED_DAYS_AGO = 620
FINISHED_ENDED_DAYS_AGO = 75

# What the cohort of 2024 measured, per project: (indicator, unit, baseline, target, values
# of the successive reports)
MEASURES = [
    ("Biodéchets détournés", "t", "0", "12", ("2", "6", "9", "11,5")),
    ("Baisse de la consommation électrique", "%", "0", "40", ("10", "25", "31", "38")),
    ("Température ressentie en été", "°C", "34", "30", ("34", "33", "31,5", "30,5")),
    ("Eau de pluie infiltrée", "m³", "0", "800", ("50", "300", "610", "920")),
    ("Recharges par mois", "recharges", "0", "600", ("40", "150", "260", "310")),
]


def follow_up():
    """What follows the publication of the waves: the 2025 wave's two experimentations at two
    stages (``follow_up_2025``), the 2024 wave's five ended (``finished_cohort``)."""
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    if staff is not None:
        follow_up_2025()
        finished_cohort(staff)


def finished_cohort(staff):
    """The 2024 wave's experimentations: started twenty months ago, every report filed on time
    and accepted with the indicators of its protocol, ended two and a half months ago. Once:
    an experimentation that has moved is left alone."""
    experimentations = (
        Experimentation.objects.filter(application__call__slug=FINISHED_SLUG)
        .select_related("application__applicant__organisation", "application__call__edition")
        .order_by("application__reference")
    )
    started = timezone.now() - timedelta(days=FINISHED_STARTED_DAYS_AGO)
    for experimentation, measure in zip(experimentations, MEASURES, strict=False):
        if experimentation.history.exists():
            continue
        experimentation.manager = staff
        experimentation.planned_start = timezone.localdate(started)
        experimentation.planned_end = add_months(experimentation.planned_start, 18)
        experimentation.save(update_fields=["manager", "planned_start", "planned_end"])
        owner = experimentation.application.applicant.organisation.owner()
        for key in flow.required_documents(experimentation.application.call.edition):
            upload = SimpleUploadedFile(f"{key}.pdf", samples.sample_pdf(), "application/pdf")
            document = flow.upload_document(experimentation, key, upload, by=owner)
            flow.review_document(document, accept=True, by=staff)
        reports.schedule(experimentation)
        flow.transition(experimentation, "sign", by=staff, now=started - timedelta(days=20))
        for name in ("deploy", "start"):
            flow.transition(experimentation, name, by=staff, now=started)
        _filed_reports(experimentation, owner, staff, measure)
        ended = timezone.now() - timedelta(days=FINISHED_ENDED_DAYS_AGO)
        flow.transition(experimentation, "end", by=staff, now=ended)


def _filed_reports(experimentation, owner, staff, measure):
    name, unit, baseline, target, values = measure
    for report, value in zip(experimentation.reports.order_by("due_at"), values, strict=False):
        report.progress = f"{name} : {value} {unit} mesurés à cette étape."
        report.next_steps = "Poursuivre le déploiement et les relevés."
        report.save()
        report.indicators.create(
            name=name,
            unit=unit,
            baseline=baseline,
            target=target,
            value=value,
            method="Relevé mensuel, partagé avec la commune",
        )
        filed_at = report.due_at - timedelta(days=3)
        reports.transition(report, "submit", by=owner, now=filed_at)
        reports.transition(report, "accept", by=staff, now=filed_at + timedelta(days=2))


def follow_up_2025():
    """After the publication of the 2025 wave (``evaluation.demo``): its two experimentations
    at two stages — one preparing (its agreement signed, the insurance certificate to check,
    its reports planned), one running since four months (every document accepted, deployed,
    started; its kick-off report filed and accepted, its deployment report late with a draft
    begun, the others to come; a conversation). Once: an experimentation that has moved is
    left alone."""
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    experimentations = list(
        Experimentation.objects.filter(application__call__slug=EARLIER_SLUG)
        .select_related("application__applicant__organisation", "application__call__edition")
        .order_by("application__reference")
    )
    if (
        staff is None
        or len(experimentations) < 2
        or any(e.history.exists() for e in experimentations)
    ):
        return
    for experimentation, accepted in zip(experimentations, (("agreement",), None), strict=True):
        experimentation.manager = staff
        experimentation.save(update_fields=["manager"])
        owner = experimentation.application.applicant.organisation.owner()
        for key in flow.required_documents(experimentation.application.call.edition):
            upload = SimpleUploadedFile(f"{key}.pdf", samples.sample_pdf(), "application/pdf")
            document = flow.upload_document(experimentation, key, upload, by=owner)
            if accepted is None or key in accepted:
                flow.review_document(document, accept=True, by=staff)
        started = timezone.now() - timedelta(days=STARTED_DAYS_AGO)
        if accepted is not None:  # the one being prepared: its agreement signed today
            flow.transition(experimentation, "sign", by=staff)
        else:  # the running one was planned to start four months ago
            experimentation.planned_start = timezone.localdate(started)
            experimentation.planned_end = add_months(experimentation.planned_start, 18)
            experimentation.save(update_fields=["planned_start", "planned_end"])
            reports.schedule(experimentation)
            flow.transition(experimentation, "sign", by=staff, now=started - timedelta(days=20))
            for name in ("deploy", "start"):
                flow.transition(experimentation, name, by=staff, now=started)
            _reports(experimentation, owner, staff)
            conversation.post(
                experimentation,
                by=owner,
                body="Les stations sont installées ; les premiers prêts commencent lundi.",
            )
            conversation.post(
                experimentation,
                by=staff,
                body="Merci ! Pensez à relever le nombre de prêts chaque semaine.",
            )


def _reports(experimentation, owner, staff):
    """The kick-off report filed two days early and accepted; the deployment report begun,
    not filed: late."""
    kick_off, deployment = list(experimentation.reports.order_by("due_at"))[:2]
    kick_off.progress = (
        "Trois stations installées devant la gare ; 40 usagers inscrits la première semaine."
    )
    kick_off.next_steps = "Ouvrir la quatrième station et lancer la communication municipale."
    kick_off.save()
    kick_off.indicators.create(
        name="Prêts par semaine",
        unit="prêts",
        baseline="0",
        target="150",
        value="38",
        method="Compteur des stations, relevé chaque lundi",
    )
    kick_off.indicators.create(
        name="Usagers inscrits", unit="personnes", baseline="0", target="400", value="40"
    )
    filed_at = kick_off.due_at - timedelta(days=2, hours=13)
    reports.transition(kick_off, "submit", by=owner, now=filed_at)
    reports.transition(kick_off, "accept", by=staff, now=filed_at + timedelta(days=1))
    deployment.progress = "Quatrième station ouverte ; la signalétique reste à poser."
    deployment.save()
    deployment.indicators.create(
        name="Prêts par semaine", unit="prêts", baseline="0", target="150", value=""
    )
