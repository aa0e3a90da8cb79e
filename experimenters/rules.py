"""The rules of the experimentations (the vocabulary is ``qmi.rules``): the experimenter's
members and the municipality that hosts the district read an experimentation; its members
upload the documents of the agreement; staff steer it and check the documents."""

import rules

from qmi.models import Membership
from qmi.rules import is_member, is_staff_member


@rules.predicate
def acts_for_the_district(user, experimentation):
    """A confirmed member of the municipality whose commune hosts the district."""
    if experimentation is None or not (user.is_authenticated and user.is_active):
        return False
    return (
        Membership.objects.confirmed()
        .filter(applicant__commune=experimentation.district.commune_id, user=user)
        .exists()
    )


RULES = {
    # an experimentation's page: its experimenter, its municipality, staff
    "experimenters.view_experimentation": is_member | acts_for_the_district | is_staff_member,
    # read and write its conversation: the same people
    "experimenters.converse": is_member | acts_for_the_district | is_staff_member,
    # upload the documents of the agreement
    "experimenters.upload_agreement": is_member,
    # move an experimentation through its workflow
    "experimenters.steer_experimentation": is_staff_member,
    # accept a document of the agreement or ask for a new version
    "experimenters.check_documents": is_staff_member,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
