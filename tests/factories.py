"""Factories for test data. Communes come from the reference data loaded by migration."""

from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.domain import lifecycle, samples
from calls.models import Application, Call, Edition, UrbanChallenge
from evaluation.assessment.campaign import cover, seed_grid
from evaluation.assessment.grid import side_for
from evaluation.assessment.grid import submit as submit_side
from evaluation.assessment.protocol import start_protocol
from evaluation.models import ProtocolIndicator
from experimenters.experimentation import create_for as create_experimentation
from municipalities.models import Commune, KeyArea
from municipalities.services import applicant_for
from qmi.models import Applicant, Membership, User

PASSWORD = "a-Strong-test-passw0rd"


def pdf_bytes(pages=1):
    return samples.sample_pdf(pages=pages)


def pdf_upload(name="deliberation.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), "application/pdf")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@ville.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


def with_second_factor(user):
    """Give ``user`` an authenticator app (the admin and the jury space require one); answers
    its secret, to compute codes."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing:
        return existing.data["secret"]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def two_step(self, create, extracted, **kwargs):
        """Staff have their second step set up, unless ``two_step=False``."""
        if create and extracted is not False:
            with_second_factor(self)


def _free_commune():
    commune = Commune.objects.filter(applicant__isnull=True).order_by("insee_code").first()
    assert commune is not None, "no member commune left without an applicant"
    return commune


class ApplicantFactory(factory.django.DjangoModelFactory):
    """An applicant row as such; the benchmarks build them by the thousand. Tests use
    ``MunicipalityFactory`` or ``OrganisationFactory``, which go through the services."""

    class Meta:
        model = Applicant

    kind = Applicant.Kind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Commune fictive {n:05d}")


class MunicipalityFactory(ApplicantFactory):
    """The applicant of a member commune that has none yet."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        commune = kwargs.pop("commune", None) or _free_commune()
        return applicant_for(commune)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    applicant = factory.SubFactory(MunicipalityFactory)
    user = factory.SubFactory(UserFactory)
    job_title = "Chargée de mission"
    confirmed_at = factory.LazyFunction(timezone.now)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("number",)

    number = 2
    title = "2e édition 2023–2026"
    title_en = "2nd edition 2023–2026"
    is_current = True


class CallFactory(factory.django.DjangoModelFactory):
    """A published call for municipalities, open now (opened 10 days ago, closes in 30)."""

    class Meta:
        model = Call

    edition = factory.SubFactory(EditionFactory)
    kind = Call.Kind.MUNICIPALITIES
    slug = factory.Sequence(lambda n: f"appel-communes-{n}")
    title = "Appel à manifestation d'intérêt des communes"
    title_en = "Call for municipalities"
    description = "Proposez un quartier d'innovation."
    description_en = "Propose an innovation district."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


def fill_complete(application, *, attach=True):
    """Fill every answer of an application with its kind's samples, as a complete draft."""
    return samples.complete(application, attach=attach)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application, created through the service as a user would.

    ``complete=True`` fills every answer and attaches the deliberation.
    """

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)

    @classmethod
    def _create(cls, model_class, call, member=None, complete=False, **kwargs):
        membership = member or MembershipFactory()
        application = lifecycle.start_application(call, membership.applicant, by=membership.user)
        if complete:
            fill_complete(application)
        return application


class SubmittedApplicationFactory(ApplicationFactory):
    """A complete application submitted by its member."""

    @classmethod
    def _create(cls, model_class, call, member=None, **kwargs):
        application = super()._create(model_class, call, member=member, complete=True)
        return lifecycle.transition(application, "submit", by=application.created_by)


# --- Call for experimenters: innovation districts, organisations, projects ------------------


def siret_for(n):
    """A valid SIRET (SIREN and establishment check digits right) made from ``n``."""
    from stdnum import luhn

    siren = f"{(n + 1) * 7919 % 10**8:08d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{n % 10**4:04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def png_bytes():
    return samples.PNG


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), "image/png")


def _commune_without_district(edition):
    from municipalities.models import InnovationDistrict

    taken = InnovationDistrict.objects.filter(edition=edition).values("commune_id")
    return Commune.objects.exclude(pk__in=taken).order_by("-insee_code").first()


class DistrictFactory(factory.django.DjangoModelFactory):
    """A published innovation district of the current edition. ``calls=[call, …]`` adds it to
    experimenter calls."""

    class Meta:
        model = "municipalities.InnovationDistrict"
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    commune = factory.LazyAttribute(lambda o: _commune_without_district(o.edition))
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    name = factory.Sequence(lambda n: f"Quartier d'innovation {n}")
    key_area = KeyArea.RAILWAY_STATION
    perimeter = "Autour de la gare."
    offer = "Deux sites d'expérimentation et un agent référent."
    offer_en = "Two test sites and a municipal referent."
    is_published = True

    @factory.post_generation
    def calls(self, create, extracted, **kwargs):
        if create and extracted:
            self.calls.add(*extracted)

    @factory.post_generation
    def challenges(self, create, extracted, **kwargs):
        if create:
            self.challenges.set(
                extracted
                if extracted is not None
                else UrbanChallenge.objects.filter(code__in=["climate", "flows"])
            )


class ExperimenterCallFactory(CallFactory):
    """A published call for experimenters, open now, covering two new districts unless
    ``districts=[…]`` says which."""

    class Meta:
        skip_postgeneration_save = True

    kind = Call.Kind.EXPERIMENTERS
    slug = factory.Sequence(lambda n: f"appel-experimentateurs-{n}")
    title = "Appel à expérimentations"
    title_en = "Call for experimenters"
    description = "Expérimentez votre solution dans un quartier d'innovation."
    description_en = "Test your solution in an innovation district."
    max_selected = 24

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [DistrictFactory(edition=self.edition) for _ in range(2)]
        self.districts.add(*extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation created through the service: ``owner`` (a new user by default) is its
    confirmed owner. ``foreign=True`` makes a Belgian one without SIRET."""

    class Meta:
        model = "experimenters.Organisation"

    legal_name = factory.Sequence(lambda n: f"Urbanlab {n}")
    siret = factory.Sequence(siret_for)
    structure_type = "startup"
    created_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=900))
    headcount = 6
    address = "10 rue de l'Innovation"
    postal_code = "75011"
    city = "Paris"
    website = "https://urbanlab.example"
    description = "Des capteurs pour rafraîchir les cours d'école."

    @classmethod
    def _create(cls, model_class, owner=None, foreign=False, verified=True, **kwargs):
        """``verified=False``: its owner is pending, as until staff verify it."""
        from experimenters.services import create_organisation
        from qmi.models import Applicant

        if foreign:
            kwargs.update(
                is_foreign=True, siret=None, country="BE", registration_number="0123.456.749"
            )
            kwargs.setdefault("postal_code", "1000")
            kwargs["city"] = "Bruxelles"
        organisation = create_organisation(by=owner or UserFactory(), **kwargs)
        if verified and organisation.applicant.verified_at is None:
            Applicant.objects.filter(pk=organisation.applicant_id).update(
                verified_at=timezone.now(), verification=Applicant.Verification.STAFF
            )
            organisation.applicant.refresh_from_db()
        return organisation


def member_of(organisation, user=None):
    """A confirmed member (not the owner) of ``organisation``; returns the user."""
    user = user or UserFactory()
    Membership.objects.create(
        applicant=organisation.applicant,
        user=user,
        role=Membership.Role.MEMBER,
        confirmed_at=timezone.now(),
    )
    return user


SCREENING_OK = {
    "structure_type": "startup",
    "stage": "prototype",
    "commercialised": False,
    "challenges": [],
    "can_deploy": True,
}


fill_project = fill_complete


class ProjectApplicationFactory(factory.django.DjangoModelFactory):
    """A draft project of an organisation (a new one by default), started by its owner after
    a passing screening. ``complete=True`` fills every answer and attaches the pitch deck."""

    class Meta:
        model = Application

    call = factory.SubFactory(ExperimenterCallFactory)

    @classmethod
    def _create(cls, model_class, call, organisation=None, by=None, complete=False, **kwargs):
        from experimenters.services import initial_content

        organisation = organisation or OrganisationFactory()
        application = lifecycle.start_application(
            call,
            organisation.applicant,
            by=by or organisation.owner(),
            initial=initial_content(
                {**SCREENING_OK, "challenges": UrbanChallenge.objects.filter(code="climate")}
            ),
        )
        if complete:
            fill_project(application)
        return application


# --- Selection: screening, jury, criteria, assignments, reviews (issue 4) -------------------


def close(call, *, days_ago=1):
    """Close ``call`` (its deadline ``days_ago`` days ago); returns it reloaded."""
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(days=days_ago))
    call.refresh_from_db()
    return call


def take(application, *names, by=None, **kwargs):
    """Take the staff transitions ``names`` in order (a new staff member by default)."""
    by = by or StaffFactory()
    for name in names:
        note = kwargs.get("note") or ("Motif." if name == "mark_ineligible" else "")
        application = lifecycle.transition(
            application, name, by=by, note=note, due_at=kwargs.get("due_at")
        )
    return application


class JuryMemberFactory(factory.django.DjangoModelFactory):
    """A jury member (an ordinary user) of a call; ``districts=[…]`` limits them."""

    class Meta:
        model = "evaluation.JuryMember"
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)

    @factory.post_generation
    def two_step(self, create, extracted, **kwargs):
        """Jury members have their second step set up, unless ``two_step=False``."""
        if create and extracted is not False:
            with_second_factor(self.user)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Criterion"

    call = factory.SubFactory(CallFactory)
    label = factory.Sequence(lambda n: f"Critère {n}")
    label_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    scale_max = 5
    position = factory.Sequence(lambda n: n)


def jury(call, *, phase="preparation", k=2, threshold=1.5):
    """The jury settings of ``call`` in ``phase``."""
    from evaluation.models import CallJury

    settings, _created = CallJury.objects.update_or_create(
        call=call,
        defaults={
            "phase": phase,
            "reviewers_per_application": k,
            "disagreement_threshold": threshold,
        },
    )
    return settings


def assigned(member, application, *, conflict=None, reason="Ancien salarié."):
    """An assignment of ``application`` to ``member``; ``conflict=False`` / ``True`` also
    records the member's declaration."""
    from evaluation.models import Assignment, ConflictDeclaration

    assignment = Assignment.objects.create(jury_member=member, application=application)
    if conflict is not None:
        ConflictDeclaration.objects.create(
            assignment=assignment,
            has_conflict=conflict,
            reason=reason if conflict else "",
            declared_at=timezone.now(),
        )
    return assignment


def scored(assignment, values, *, recommendation="select", abstain=False, final=True):
    """A review of ``assignment`` with ``values`` (one per criterion of the call, in order),
    written directly — the services are tested on their own."""
    from evaluation.models import Criterion, Review, Score
    from evaluation.ranking import review_total

    criteria = list(Criterion.objects.filter(call=assignment.application.call_id))
    review = Review.objects.create(
        assignment=assignment,
        status=Review.Status.FINAL if final else Review.Status.DRAFT,
        recommendation=recommendation,
        abstain=abstain,
        finalised_at=timezone.now() if final else None,
    )
    for criterion, value in zip(criteria, values, strict=True):
        Score.objects.create(review=review, criterion=criterion, value=value)
    if final and not abstain:
        by_criterion = {c.pk: value for c, value in zip(criteria, values, strict=True)}
        review.total = review_total(by_criterion, criteria)
        review.save(update_fields=["total"])
    return review


class ExperimentationFactory(factory.django.DjangoModelFactory):
    """The experimentation of a project (built by the benchmarks; tests create them through
    ``experimenters.experimentation.create_for``, as the publication does)."""

    class Meta:
        model = "experimenters.Experimentation"

    planned_start = factory.LazyFunction(timezone.localdate)
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + timedelta(days=548))


def people_around(experimentation, staff):
    """Everyone an experimentation's pages are tested against, by role: its organisation's
    owner and a colleague, the municipality hosting the district, staff, and those who must
    get nothing (another organisation, another municipality, a jury member, a stranger)."""
    organisation = experimentation.application.applicant.organisation
    return {
        "owner": organisation.owner(),
        "colleague": member_of(organisation),
        "municipality": MembershipFactory(
            applicant=MunicipalityFactory(commune=experimentation.district.commune)
        ).user,
        "staff": staff,
        "other organisation": OrganisationFactory().owner(),
        "other municipality": MembershipFactory().user,
        "jury member": JuryMemberFactory(call=experimentation.application.call).user,
        "signed in, nobody": UserFactory(),
    }


# --- The 2026 assessment ----------------------------------------------------------------------


def an_experimentation(staff, *, organisation=None, district=None):
    """A selected project's experimentation, created as the publication creates it, managed by
    ``staff``."""
    project = ProjectApplicationFactory(organisation=organisation or OrganisationFactory())
    district = district or project.call.districts.order_by("pk").first()
    experimentation, _created = create_experimentation(project, district=district, by=staff)
    experimentation.manager = staff
    experimentation.save(update_fields=["manager"])
    return experimentation


class AssessmentCampaignFactory(factory.django.DjangoModelFactory):
    """A campaign open from a month ago for a month more, with the default grid."""

    class Meta:
        model = "evaluation.AssessmentCampaign"
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    title = "Bilan 2026"
    title_en = "2026 assessment"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))

    @factory.post_generation
    def grid(self, create, extracted, **kwargs):
        if create:
            seed_grid(self)


def assessed(experimentation, campaign=None):
    """The assessment of ``experimentation`` in ``campaign`` (a new open one by default), its
    protocol started from the follow-up."""
    campaign = campaign or AssessmentCampaignFactory(
        edition=experimentation.application.call.edition
    )
    cover(campaign, type(experimentation).objects.filter(pk=experimentation.pk))
    assessment = campaign.assessments.get(experimentation=experimentation)
    start_protocol(assessment)
    return assessment


def filled_side(assessment, party, *, score=4, by=None, submit=True, now=None):
    """``party``'s side of ``assessment`` with every criterion scored ``score`` (a number, or
    ``{criterion title: score}``) and justified; for the experimenter, a measured indicator
    and an outcome. Submitted by ``by`` unless ``submit`` is False."""
    side = side_for(assessment, party)
    for answer in side.answers.select_related("criterion"):
        answer.score = score.get(answer.criterion.title, 3) if isinstance(score, dict) else score
        answer.justification = f"Justification of {answer.criterion.title}."
        answer.save()
    if party == "experimenter":
        if not assessment.indicators.exists():
            ProtocolIndicator.objects.create(
                assessment=assessment, name="Users served", unit="users", baseline=0, target=100
            )
        assessment.indicators.filter(measured__isnull=True).update(measured=80)
        if not assessment.outcome:
            assessment.outcome = "continued"
            assessment.jobs_created = 2
            assessment.save()
    if submit:
        submit_side(side, by=by or UserFactory(), now=now)
        side.refresh_from_db()
    return side


# --- Sessions: webinars and training days ----------------------------------------------------


def _in_ten_days_at_nine():
    moment = timezone.localtime() + timedelta(days=10)
    return moment.replace(hour=9, minute=0, second=0, microsecond=0)


class SessionFactory(factory.django.DjangoModelFactory):
    """A published public webinar of the current edition in ten days, 9:00–10:00 Paris time,
    online, 50 seats."""

    class Meta:
        model = "calls.Session"

    edition = factory.SubFactory(EditionFactory)
    kind = "webinar"
    audience = "public"
    title = factory.Sequence(lambda n: f"Webinaire de présentation {n}")
    title_en = factory.Sequence(lambda n: f"Presentation webinar {n}")
    description = "Le programme et vos questions."
    description_en = "The programme and your questions."
    starts_at = factory.LazyFunction(_in_ten_days_at_nine)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    online_url = "https://visio.example/qmi-webinaire"
    capacity = 50


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A seat taken at a session (a new webinar by default)."""

    class Meta:
        model = "calls.Registration"

    session = factory.SubFactory(SessionFactory)
    email = factory.Sequence(lambda n: f"inscrit{n}@exemple.fr")
    name = factory.Sequence(lambda n: f"Personne {n}")
    status = "confirmed"
