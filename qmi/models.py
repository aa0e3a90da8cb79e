"""What every app shares: the user, the applicant (a municipality or an organisation acting
in a call), its members and the invitations that bring colleagues in."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login; there is no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        help_text=_("Optional: for Paris&Co to call you about your applications."),
    )
    is_staff = models.BooleanField(
        _("Paris&Co staff"),
        default=False,
        help_text=_("Can sign in to the administration."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The retention job (``qmi.privacy.apply_retention``) warned this unused account once
    retention_warned_at = models.DateTimeField(
        _("warned of deletion for inactivity at"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Applicant(models.Model):
    """The party that applies to a call: a member municipality or an organisation.

    Both calls share it, so membership, invitations, access checks and the application
    envelope are written once. ``municipalities.Commune`` and ``experimenters.Organisation``
    each point to one applicant.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        ORGANISATION = "organisation", _("Organisation")

        @property
        def has_owner(self):
            """An organisation has an owner (its creator, or whom they handed it over to), who
            alone submits and withdraws its applications; a municipality's members are equal."""
            return self.value == "organisation"

    class Verification(models.TextChoices):
        STAFF = "staff", _("By Paris&Co staff, on a proof")
        EMAIL_DOMAIN = "email-domain", _("Automatically: the owner's e-mail is on its website")
        EARLIER = "earlier", _("Registered before verification existed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # An applicant with an owner (an organisation) is verified before its owner commits it:
    # until then the owner drafts, but does not submit (``qmi.speak_for``)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification = models.CharField(
        _("verified how"), max_length=20, choices=Verification.choices, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        through_fields=("applicant", "user"),
        related_name="applicants",
    )

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def has_owner(self):
        return self.Kind(self.kind).has_owner

    @property
    def awaits_verification(self):
        """An applicant with an owner that staff (or its e-mail domain) have not verified yet:
        its owner may draft, not submit."""
        return self.has_owner and self.verified_at is None

    @property
    def members_intro_template(self):
        """What the members page says first about this kind of applicant."""
        return f"qmi/members_intro/{self.kind}.html"


class MembershipQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class Membership(models.Model):
    """A user acting for an applicant. Only a confirmed membership gives access.

    A municipal officer who asks to act for a municipality waits for Paris&Co staff to confirm,
    so nobody can squat a municipality; a colleague invited by a confirmed member is confirmed
    when they accept.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("applicant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(
        _("job title"),
        max_length=150,
        blank=True,
        help_text=_("Your position in the municipality or organisation."),
    )
    request_note = models.TextField(
        _("why you act for it"),
        blank=True,
        help_text=_(
            "What Paris&Co should know to confirm the request: your department, a colleague "
            "who can vouch for you…"
        ),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "user"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "confirmed_at"])]

    def __str__(self):
        return f"{self.user} — {self.applicant}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


def _invitation_token():
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """A confirmed member invites a colleague by e-mail; accepting gives a confirmed membership."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("applicant")
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.applicant}"

    def is_usable(self, now=None):
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at


class StatusHistory(models.Model):
    """One move of an object through its workflow (``qmi.statemachine``): the transition, the
    statuses it left and reached, who, when and why. Each workflow's history model adds its
    subject and the choices of its statuses."""

    transition = models.CharField(_("transition"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


# The e-mails a person chose, and the messages kept for their daily digest (``qmi.preferences``)
from .models_preferences import DigestItem, EmailPreference  # noqa: E402, F401
