"""Demo data of the selection, for ``make run``: the jury of the 2nd edition's call for
municipalities (closed last month, its six submitted applications seeded by
``municipalities.demo``): two members, every application assigned to both, and its criteria —
so that a staff member and the two jury members can take it, in the browser, from screening
to published results. And the experimenters' waves (``experimenters.demo``): the 2025 wave
published (its laureates in their first wish; their experimentations follow), the pilot
wave's laureates with a proposed placement in its two districts. Once the experimentations
have followed, the 2026 assessment of those that ended (``demo_assessment``).

Idempotent like ``calls.demo``: objects are looked up by natural keys and created only when
missing; the open calls of the other demo data are not touched.
"""

import contextlib

from calls.demo import demo_user
from calls.domain.workflow import Status
from calls.models import Application, Call
from qmi.models import User

from . import demo_answers, demo_assessment, publication, services
from .models import Assignment, CallJury, Criterion, Decision, JuryMember, Phase
from .placement import service as placement
from .placement.wishes import takes_placement, wishes_of

CALL_SLUG = "ami-communes-2"  # municipalities.demo.CLOSED_CALL_SLUG

ACCOUNTS = [
    ("jury1@qmi.example", "Jury member, 2nd edition's call for municipalities (closed)"),
    ("jury2@qmi.example", "Jury member, 2nd edition's call for municipalities (closed)"),
]

CRITERIA = [
    # label (fr), label (en), guidance (fr), guidance (en), weight, scale
    (
        "Pertinence du quartier proposé",
        "Relevance of the proposed district",
        "Le quartier relève-t-il d'un territoire clé ? Les défis urbains sont-ils réels ?",
        "Is the district one of the key areas? Are the urban challenges real?",
        3,
        5,
    ),
    (
        "Capacité d'accueil des expérimentations",
        "Capacity to host experiments",
        "Sites, données, agents : la commune peut-elle accueillir six à huit expérimentations ?",
        "Sites, data, staff: can the municipality host six to eight experiments?",
        2,
        5,
    ),
    (
        "Engagement de la commune",
        "Commitment of the municipality",
        "Délibération, référent nommé, participation aux formations et à l'évaluation.",
        "Deliberation, named referent, taking part in the training days and the assessment.",
        1,
        5,
    ),
]


def seed():
    _laureates_to_place()
    return _jury()


def follow_up():
    """The 2026 assessment of the experimentations that have ended (``demo_assessment``);
    the laureates' answers and an ineligibility told early (``demo_answers``)."""
    demo_answers.follow_up()
    return demo_assessment.follow_up()


def _jury():
    call = Call.objects.filter(slug=CALL_SLUG).first()
    if call is None:  # the municipalities' demo did not run
        return None
    applications = list(Application.objects.filter(call=call).order_by("reference"))
    CallJury.objects.get_or_create(
        call=call, defaults={"phase": Phase.PREPARATION, "reviewers_per_application": 2}
    )
    for position, (label, label_en, guidance, guidance_en, weight, scale) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(
            call=call,
            label=label,
            defaults={
                "label_en": label_en,
                "guidance": guidance,
                "guidance_en": guidance_en,
                "weight": weight,
                "scale_max": scale,
                "position": position,
            },
        )
    for email, _label in ACCOUNTS:
        member, _created = JuryMember.objects.get_or_create(call=call, user=demo_user(email))
        for application in applications:
            Assignment.objects.get_or_create(jury_member=member, application=application)
    return call


def _laureates_to_place():
    """The closed calls whose applications wish districts and that have no decision yet (the
    experimenters' waves), oldest first: every one but the last is published, each laureate
    in its first wish, so that experimentations follow; the last one's shortlisted
    applications become laureates with a proposed placement, for staff to accept. Once: a
    call with decisions is left alone."""
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    waves = [
        call
        for call in Call.objects.filter(results_published_at__isnull=True).order_by("closes_at")
        if not call.is_open()
        and takes_placement(call)
        and not Decision.objects.filter(application__call=call).exists()
    ]
    for position, call in enumerate(waves):
        shortlisted = list(
            Application.objects.filter(call=call, status=Status.SHORTLISTED).select_related("call")
        )
        last = position == len(waves) - 1
        wishes = wishes_of(call, [a.pk for a in shortlisted])
        districts = {d.pk: d for d in call.districts.all()}
        for application in shortlisted:
            first = min(wishes[application.pk].items(), key=lambda w: w[1], default=(None, 0))[0]
            services.record_decision(
                application,
                outcome=Decision.Outcome.SELECTED,
                district=None if last else districts.get(first),
                by=staff,
            )
        if last:
            with contextlib.suppress(placement.PlacementError):  # the page says why
                placement.propose(call, by=staff)
        else:
            publication.publish_results(call, by=staff)
