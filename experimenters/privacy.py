"""What ``experimenters`` holds about a person (``qmi.privacy``): the messages they wrote in
the conversations of experimentations, the reports they filed, their claims of an
organisation. Past the archive period, a project's team is no longer named. Registered from
``ExperimentersConfig.ready``."""

from calls.models import Application
from calls.privacy import anonymise_versions

from .models import Message, MessageRead, OwnershipClaim, Report, TeamMember


def messages_of(user):
    messages = Message.objects.filter(author=user).order_by("created_at", "pk")
    return [
        {
            "experimentation": m.experimentation_id,
            "message": m.body,
            "file": m.original_name,
            "sent_at": m.created_at,
        }
        for m in messages
    ]


def reports_of(user):
    reports = Report.objects.filter(submitted_by=user).order_by("submitted_at", "pk")
    return [{"report": str(r), "submitted_at": r.submitted_at} for r in reports]


def claims_of(user):
    claims = OwnershipClaim.objects.filter(claimant=user).select_related("organisation")
    return [
        {
            "organisation": c.organisation.legal_name,
            "job_title": c.job_title,
            "message": c.message,
            "proof": c.original_name,
            "claimed_at": c.created_at,
            "outcome": c.outcome,
        }
        for c in claims
    ]


def anonymise(user, *, email):
    """The messages stay in the conversation (by the anonymised account); the person's read
    markers and claims of an organisation, with their proof, are deleted."""
    MessageRead.objects.filter(user=user).delete()
    for claim in OwnershipClaim.objects.filter(claimant=user):
        claim.file.delete(save=False)
        claim.delete()


def archive(*, closed_before):
    """The team of a project to a call closed before ``closed_before`` is no longer named."""
    old = Application.objects.filter(call__closes_at__lt=closed_before, project__isnull=False)
    named = TeamMember.objects.filter(project__application__in=old).exclude(name="")
    changed = named.update(name="")
    return changed + anonymise_versions(old, rows={"team": ("name",)})


def data_of(user):
    return {
        "experimentation_messages": messages_of(user),
        "reports_submitted": reports_of(user),
        "organisation_claims": claims_of(user),
    }
