"""Organisations (startups, associations, SMEs) and their project applications to the call for
experimenters."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from calls.models import Application, ApplicationContent, ApplicationQuerySet
from qmi.models import Membership

from ..validators import validate_siret

MAX_DURATION_MONTHS = 18
MAX_IMAGES = 5


# France and its overseas departments, regions and territories: an organisation established
# there is French and identified by its SIRET, not by a foreign registration.
FRANCE_AND_OVERSEAS = frozenset(
    {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
)


class StructureType(models.TextChoices):
    STARTUP = "startup", _("Startup")
    ASSOCIATION = "association", _("Association")
    SME = "sme", _("SME (small or medium-sized enterprise)")
    OTHER = "other", _("Other (cooperative, social enterprise…)")


class Organisation(models.Model):
    """The profile of an organisation that applies to the call for experimenters.

    Its members, roles and invitations are those of its ``qmi.Applicant``: the owner and the
    colleagues they invite. An organisation established in France is known by its SIRET; one
    established elsewhere by its country and national registration number.
    """

    applicant = models.OneToOneField(
        "qmi.Applicant",
        on_delete=models.CASCADE,
        related_name="organisation",
        verbose_name=_("applicant"),
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    is_foreign = models.BooleanField(
        _("established outside France"),
        default=False,
        help_text=_("An entity established outside France has no SIRET."),
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_siret],
        error_messages={
            "unique": _(
                "An organisation with this SIRET already exists: ask its owner to invite you."
            )
        },
        help_text=_("14 digits, on your Kbis extract or your INSEE registration notice."),
    )
    country = CountryField(_("country"), default="FR")
    registration_number = models.CharField(
        _("national registration number"),
        max_length=60,
        blank=True,
        help_text=_(
            "The number of the organisation in the company or association register of its "
            "country (e.g. the BCE/KBO number in Belgium)."
        ),
    )
    structure_type = models.CharField(
        _("type of structure"), max_length=20, choices=StructureType.choices
    )
    created_on = models.DateField(_("creation date"))
    headcount = models.PositiveIntegerField(
        _("headcount"), help_text=_("People working in the organisation, founders included.")
    )
    address = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=120)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("short description"),
        max_length=1000,
        help_text=_("What the organisation does, in a few sentences."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_foreign=False, siret__isnull=False)
                    | (
                        Q(is_foreign=True, siret__isnull=True)
                        & ~Q(registration_number="")
                        & ~Q(country="FR")
                    )
                ),
                name="organisation_siret_or_foreign_registration",
                violation_error_message=_(
                    "An organisation established in France needs its SIRET; one established "
                    "elsewhere needs its country and its national registration number."
                ),
            )
        ]

    def __str__(self):
        return self.legal_name

    def get_absolute_url(self):
        return reverse("experimenters:organisation", kwargs={"pk": self.pk})

    @property
    def identifier(self):
        """What identifies the organisation: its SIRET, or its country and number."""
        if self.is_foreign:
            return f"{self.country.name} {self.registration_number}"
        return self.siret

    def owner(self):
        membership = (
            self.applicant.memberships.filter(role=Membership.Role.OWNER)
            .select_related("user")
            .first()
        )
        return membership.user if membership else None


class ScreeningStage(models.TextChoices):
    IDEA = "idea", _("An idea or a design: nothing has been built yet")
    PROTOTYPE = "prototype", _("A prototype: built and tested, but not finished")
    PRODUCT = "product", _("A finished product or service")


class Maturity(models.TextChoices):
    """A TRL-like scale in plain words; every level is a prototype, as the call requires."""

    LAB = "lab", _("Concept tested in the lab (TRL 4)")
    FIRST_USERS = "first-users", _("Prototype tested with a few users (TRL 5)")
    REAL_CONDITIONS = "real-conditions", _("Prototype demonstrated in real conditions (TRL 6)")
    OPERATIONAL = "operational", _("Complete prototype working in real conditions (TRL 7)")
    PRE_SERIES = "pre-series", _("Pre-series ready to deploy (TRL 8)")


class ProjectApplication(ApplicationContent):
    """The answers of an organisation's project to the call for experimenters.

    One organisation may submit several projects to one call: each is its own application.
    Every answer may be empty while it is a draft; ``missing_items`` says what must be filled
    before it can be submitted.
    """

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="project",
        verbose_name=_("application"),
    )
    # Answers to the eligibility screening, kept for staff
    screening_structure_type = models.CharField(
        _("screening: type of structure"), max_length=20, blank=True
    )
    screening_stage = models.CharField(
        _("screening: stage of the solution"),
        max_length=20,
        choices=ScreeningStage.choices,
        blank=True,
    )
    screening_commercialised = models.BooleanField(
        _("screening: already commercialised"), null=True, blank=True
    )
    screening_can_deploy = models.BooleanField(
        _("screening: can deploy in Île-de-France during the experimentation"),
        null=True,
        blank=True,
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    # The project
    title = models.CharField(_("title of the project"), max_length=200, blank=True)
    pitch = models.CharField(
        _("pitch in one line"),
        max_length=200,
        blank=True,
        help_text=_("What the project does, for whom, in 200 characters at most."),
    )
    problem = models.TextField(_("the problem"), blank=True)
    solution = models.TextField(_("the solution"), blank=True)
    innovation = models.TextField(_("what makes it innovative"), blank=True)
    maturity = models.CharField(_("maturity"), max_length=20, choices=Maturity.choices, blank=True)
    # Challenges (``ApplicationContent.challenges``) and wished districts (``DistrictWish``)
    # Deployment
    needs_space = models.BooleanField(_("Space (indoor or outdoor site)"), default=False)
    needs_energy = models.BooleanField(_("Energy (electricity supply)"), default=False)
    needs_network = models.BooleanField(_("Network (internet, mobile, fibre)"), default=False)
    needs_permits = models.BooleanField(
        _("Permits (occupation of public space, works…)"), default=False
    )
    needs_municipal_staff = models.BooleanField(_("Time of municipal staff"), default=False)
    deployment_details = models.TextField(
        _("what the deployment needs, in detail"),
        blank=True,
        help_text=_("Surface, power, equipment, installation and removal, who does what."),
    )
    duration_months = models.PositiveSmallIntegerField(
        _("planned duration (months)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("The experimentation lasts at least one month.")),
            MaxValueValidator(
                MAX_DURATION_MONTHS,
                _("The experimentation lasts %(limit_value)s months at most."),
            ),
        ],
        help_text=_("18 months at most."),
    )
    # Impact
    expected_impacts = models.TextField(_("expected impacts"), blank=True)
    impact_measurement = models.TextField(
        _("how the impacts will be measured"),
        blank=True,
        help_text=_("Indicators, how and when you collect them: they feed the final assessment."),
    )
    # Budget and team
    budget = models.DecimalField(
        _("budget of the experimentation (euros)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding = models.TextField(
        _("funding"), blank=True, help_text=_("Own funds, grants, partners: secured or expected.")
    )
    references = models.TextField(
        _("references"),
        blank=True,
        help_text=_("Previous experiments, clients or partners who can speak of your work."),
    )
    video_url = models.URLField(_("video link"), blank=True, help_text=_("Optional."))

    class Meta:
        verbose_name = _("project application")
        verbose_name_plural = _("project applications")

    def __str__(self):
        return self.title or str(self.application)

    PITCH_DECK = "pitch_deck"
    IMAGES = "images"
    HEADLINE_FIELD = "title"
    REQUIRED_FIELDS = (
        "title",
        "pitch",
        "problem",
        "solution",
        "innovation",
        "maturity",
        "deployment_details",
        "duration_months",
        "expected_impacts",
        "impact_measurement",
        "budget",
        "funding",
    )
    NEEDS = (
        "needs_space",
        "needs_energy",
        "needs_network",
        "needs_permits",
        "needs_municipal_staff",
    )

    def missing_details(self):
        """The wished districts (at least one, each still covered by the call, each with its
        reason) and the team. Reads them through ``.all()`` so that what a list prefetched is
        used."""
        missing = []
        wishes = list(self.wishes.all())
        if not wishes:
            missing.append(("wishes", _("Choose at least one district you wish to experiment in.")))
        for wish in wishes:
            if self.application.call_id not in {call.pk for call in wish.district.calls.all()}:
                missing.append(
                    (
                        "wishes",
                        _("%(district)s is no longer covered by this call: choose another one.")
                        % {"district": wish.district.name},
                    )
                )
            if not wish.reason.strip():
                missing.append(
                    (
                        "wishes",
                        _("Say why %(district)s fits your project.")
                        % {"district": wish.district.name},
                    )
                )
        if not list(self.team.all()):
            missing.append(("team", _("Add at least one member of the team.")))
        return missing

    def needs(self):
        """The labels of the deployment needs ticked."""
        return [
            self._meta.get_field(name).verbose_name for name in self.NEEDS if getattr(self, name)
        ]


class DistrictWish(models.Model):
    """An innovation district a project wishes to experiment in, ranked, and why it fits."""

    project = models.ForeignKey(
        ProjectApplication,
        on_delete=models.CASCADE,
        related_name="wishes",
        verbose_name=_("project"),
    )
    district = models.ForeignKey(
        "municipalities.InnovationDistrict",
        on_delete=models.PROTECT,
        related_name="wishes",
        verbose_name=_("innovation district"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    reason = models.TextField(_("why this district fits"), blank=True)

    class Meta:
        verbose_name = _("wished district")
        verbose_name_plural = _("wished districts")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["project", "rank"], name="wish_unique_rank"),
            models.UniqueConstraint(fields=["project", "district"], name="wish_unique_district"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.district.name}"


class TeamMember(models.Model):
    """A person of the project team and their role in it."""

    project = models.ForeignKey(
        ProjectApplication, on_delete=models.CASCADE, related_name="team", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role in the project"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class ProjectEnvelopeManager(models.Manager.from_queryset(ApplicationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind="experimenters")


class ProjectEnvelope(Application):
    """The applications to calls for experimenters, for their own admin list."""

    objects = ProjectEnvelopeManager()

    class Meta:
        proxy = True
        verbose_name = _("project")
        verbose_name_plural = _("projects")
