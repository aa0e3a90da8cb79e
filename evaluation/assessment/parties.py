"""Who fills which side of an assessment.

- the **experimenter**: a confirmed member of the organisation whose project is experimented;
- the **municipality**: a confirmed member of the municipality whose commune hosts the district;
- the **project manager**: the experimentation's Paris&Co project manager, or any staff member
  while none is named.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from qmi.models import Membership

from ..models import Assessment, Party


def _confirmed(user):
    return Membership.objects.confirmed().filter(user=user)


class PartyFinder:
    """Who ``user`` is on assessments: their confirmed memberships read once (one query),
    then the parties of any number of assessments without another."""

    def __init__(self, user):
        self.user = user
        active = user.is_authenticated and user.is_active
        confirmed = (
            list(_confirmed(user).values_list("applicant_id", "applicant__commune"))
            if active
            else []
        )
        self.active = active
        self.applicants = {applicant for applicant, _commune in confirmed}
        self.communes = {commune for _applicant, commune in confirmed if commune}

    def __call__(self, assessment):
        if not self.active:
            return []
        experimentation = assessment.experimentation
        parties = []
        if experimentation.application.applicant_id in self.applicants:
            parties.append(Party.EXPERIMENTER)
        if experimentation.district.commune_id in self.communes:
            parties.append(Party.MUNICIPALITY)
        if self.user.is_staff and experimentation.manager_id in (None, self.user.pk):
            parties.append(Party.MANAGER)
        return parties


def parties_of(user, assessment):
    """The parties ``user`` fills for ``assessment`` (a user may be none, one or several)."""
    return PartyFinder(user)(assessment)


def acts_as(user, assessment, party):
    return party in parties_of(user, assessment)


def assessments_of(user):
    """The assessments ``user`` fills a side of, in campaigns that have opened or closed."""
    if not (user.is_authenticated and user.is_active):
        return Assessment.objects.none()
    applicants = _confirmed(user).values("applicant_id")
    communes = (
        _confirmed(user).filter(applicant__commune__isnull=False).values("applicant__commune")
    )
    mine = Q(experimentation__application__applicant__in=applicants) | Q(
        experimentation__district__commune__in=communes
    )
    if user.is_staff:
        mine |= Q(experimentation__manager=user) | Q(experimentation__manager__isnull=True)
    return Assessment.objects.filter(mine)


def emails_of(assessment, party):
    """The addresses of the people who fill ``party``'s side of ``assessment``."""
    experimentation = assessment.experimentation
    if party == Party.EXPERIMENTER:
        members = Membership.objects.confirmed().filter(
            applicant_id=experimentation.application.applicant_id
        )
    elif party == Party.MUNICIPALITY:
        members = Membership.objects.confirmed().filter(
            applicant__commune=experimentation.district.commune_id
        )
    else:
        users = get_user_model().objects.filter(is_active=True)
        if experimentation.manager_id:
            users = users.filter(pk=experimentation.manager_id)
        else:
            users = users.filter(is_staff=True)
        return sorted(users.values_list("email", flat=True))
    return sorted(members.filter(user__is_active=True).values_list("user__email", flat=True))
