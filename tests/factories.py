"""Factories for test data. Communes come from the reference data loaded by migration."""

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls import services
from calls.models import Application, Call, Edition, UrbanChallenge
from municipalities.models import Commune, KeyArea, MunicipalityApplication
from municipalities.services import applicant_for
from qmi.models import Applicant, Membership, User

PASSWORD = "a-Strong-test-passw0rd"


def pdf_bytes(pages=1):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


def _free_commune():
    commune = Commune.objects.filter(applicant__isnull=True).order_by("insee_code").first()
    assert commune is not None, "no member commune left without an applicant"
    return commune


class MunicipalityFactory(factory.django.DjangoModelFactory):
    """The applicant of a member commune that has none yet."""

    class Meta:
        model = Applicant

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
    """Fill every answer of a municipality application, as a complete draft."""
    content = application.content
    content.district_name = "Quartier de la gare"
    content.key_area = KeyArea.RAILWAY_STATION
    content.location = "Autour de la gare."
    content.inhabitants = 8000
    content.current_projects = "Rénovation urbaine."
    content.local_stakes = "Apaiser l'espace public."
    content.offer = "Deux sites et un agent."
    for name in MunicipalityApplication.COMMITMENTS:
        setattr(content, name, True)
    content.elected_name, content.elected_role = "Camille Martin", "Adjointe au maire"
    content.elected_email, content.elected_phone = "elue@ville.example", "01 23 45 67 89"
    content.referent_name, content.referent_role = "Alex Durand", "Chef de projet"
    content.referent_email, content.referent_phone = "ref@ville.example", "01 98 76 54 32"
    content.save()
    content.challenges.set(UrbanChallenge.objects.filter(code="climate"))
    if attach:
        services.attach(
            application,
            MunicipalityApplication.DELIBERATION,
            pdf_upload(),
            by=application.created_by,
        )
    return application


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
        application = services.start_application(call, membership.applicant, by=membership.user)
        if complete:
            fill_complete(application)
        return application


class SubmittedApplicationFactory(ApplicationFactory):
    """A complete application submitted by its member."""

    @classmethod
    def _create(cls, model_class, call, member=None, **kwargs):
        application = super()._create(model_class, call, member=member, complete=True)
        return services.transition(application, "submit", by=application.created_by)
