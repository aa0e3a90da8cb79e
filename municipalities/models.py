"""The 130 member communes of the Métropole du Grand Paris and the municipality application."""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.models import Application, ApplicationContent, KeyArea, UrbanChallenge
from qmi.i18n import localized


class Commune(models.Model):
    """A member commune of the Métropole (reference data loaded from ``data/mgp-communes.csv``).

    Only these communes may apply to the call for municipalities.
    """

    insee_code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=120)
    departement = models.CharField(_("département"), max_length=3)
    territory = models.CharField(_("territory"), max_length=120, db_index=True)
    siren = models.CharField(_("SIREN"), max_length=9)
    postal_codes = models.CharField(_("postal codes"), max_length=300)
    population = models.PositiveIntegerField(_("population"))
    applicant = models.OneToOneField(
        "qmi.Applicant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commune",
        verbose_name=_("applicant"),
    )

    class Meta:
        verbose_name = _("member commune")
        verbose_name_plural = _("member communes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.departement})"


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 .\-()]{7,20}$",
    _("Enter a phone number, e.g. 01 23 45 67 89 or +33 1 23 45 67 89."),
)


class MunicipalityApplication(ApplicationContent):
    """The answers of a municipality to the call for municipalities.

    Every field may be empty while the application is a draft; ``missing_items`` says what
    must be filled before it can be submitted.
    """

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="municipality",
        verbose_name=_("application"),
    )
    # The proposed innovation district
    district_name = models.CharField(
        _("name of the innovation district"), max_length=200, blank=True
    )
    key_area = models.CharField(_("key area"), max_length=30, choices=KeyArea.choices, blank=True)
    location = models.TextField(
        _("location and perimeter"),
        blank=True,
        help_text=_("Where the district is, its streets and limits, its surface if known."),
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants concerned"), null=True, blank=True)
    current_projects = models.TextField(
        _("current projects in the district"),
        blank=True,
        help_text=_("Urban renewal, works, programmes under way or planned."),
    )
    # Challenges (``ApplicationContent.challenges``) and motivation
    local_stakes = models.TextField(_("local stakes and motivation"), blank=True)
    offer = models.TextField(
        _("what the municipality can offer experimenters"),
        blank=True,
        help_text=_("Sites, public space, data, staff time, equipment…"),
    )
    # Commitments
    commits_to_facilitate = models.BooleanField(
        _("The municipality will facilitate the experiments in the district."), default=False
    )
    commits_to_referent = models.BooleanField(
        _("The municipality will name a referent for the programme."), default=False
    )
    commits_to_training = models.BooleanField(
        _("The municipality will take part in the training days."), default=False
    )
    commits_to_assessment = models.BooleanField(
        _("The municipality will take part in the assessment of the experiments."), default=False
    )
    # Contacts
    elected_name = models.CharField(_("elected official's name"), max_length=150, blank=True)
    elected_role = models.CharField(_("elected official's office"), max_length=150, blank=True)
    elected_email = models.EmailField(_("elected official's e-mail address"), blank=True)
    elected_phone = models.CharField(
        _("elected official's phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    referent_name = models.CharField(_("technical referent's name"), max_length=150, blank=True)
    referent_role = models.CharField(
        _("technical referent's job title"), max_length=150, blank=True
    )
    referent_email = models.EmailField(_("technical referent's e-mail address"), blank=True)
    referent_phone = models.CharField(
        _("technical referent's phone"), max_length=30, blank=True, validators=[phone_validator]
    )

    class Meta:
        verbose_name = _("municipality application")
        verbose_name_plural = _("municipality applications")

    REQUIRED_FIELDS = (
        "district_name",
        "key_area",
        "location",
        "inhabitants",
        "current_projects",
        "local_stakes",
        "offer",
        "elected_name",
        "elected_role",
        "elected_email",
        "elected_phone",
        "referent_name",
        "referent_role",
        "referent_email",
        "referent_phone",
    )
    COMMITMENTS = (
        "commits_to_facilitate",
        "commits_to_referent",
        "commits_to_training",
        "commits_to_assessment",
    )
    DELIBERATION = "deliberation"
    HEADLINE_FIELD = "district_name"

    def missing_details(self):
        return [
            (name, _("This commitment is required to submit."))
            for name in self.COMMITMENTS
            if not getattr(self, name)
        ]


class InnovationDistrictQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class InnovationDistrict(models.Model):
    """An innovation district: where a selected municipality hosts experiments for an edition.

    It carries what the municipality proposed (copied from its application by staff, then
    editable) and the experimenter calls — the waves — that cover it.
    """

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="districts", verbose_name=_("commune")
    )
    edition = models.ForeignKey(
        "calls.Edition",
        on_delete=models.PROTECT,
        related_name="districts",
        verbose_name=_("edition"),
    )
    source_application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="district",
        verbose_name=_("municipality application"),
        help_text=_("The application whose proposal this district was created from."),
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    key_area = models.CharField(_("key area"), max_length=30, choices=KeyArea.choices)
    challenges = models.ManyToManyField(
        UrbanChallenge, blank=True, related_name="districts", verbose_name=_("urban challenges")
    )
    perimeter = models.TextField(_("location and perimeter (French)"), blank=True)
    perimeter_en = models.TextField(_("location and perimeter (English)"), blank=True)
    offer = models.TextField(_("what the district offers experimenters (French)"), blank=True)
    offer_en = models.TextField(_("what the district offers experimenters (English)"), blank=True)
    capacity_min = models.PositiveSmallIntegerField(_("minimum number of experiments"), default=6)
    capacity_max = models.PositiveSmallIntegerField(_("maximum number of experiments"), default=8)
    calls = models.ManyToManyField(
        "calls.Call",
        blank=True,
        related_name="districts",
        limit_choices_to={"kind": "experimenters"},
        verbose_name=_("experimenter calls"),
        help_text=_("The calls for experimenters (waves) that cover this district."),
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown on the public district pages.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InnovationDistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("innovation district")
        verbose_name_plural = _("innovation districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "edition"], name="district_one_per_commune_and_edition"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_min__lte=models.F("capacity_max")),
                name="district_capacity_min_le_max",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"

    def get_absolute_url(self):
        return reverse("municipalities:district", kwargs={"slug": self.slug})

    @property
    def localized_perimeter(self):
        return localized(self, "perimeter")

    @property
    def localized_offer(self):
        return localized(self, "offer")
