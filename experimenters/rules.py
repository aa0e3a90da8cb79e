"""The rules of the experimentations (the vocabulary is ``qmi.rules``): the experimenter's
members and the municipality that hosts the district read an experimentation; its members
upload the documents of the agreement and write its reports, which the municipality reads once
filed; staff steer it and check the documents and the reports."""

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


@rules.predicate
def report_filed(user, report):
    """The report was submitted at least once: the municipality reads what is filed."""
    return report is not None and report.submitted_at is not None


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
    # read a report: its members and staff; the municipality once it is filed
    "experimenters.view_report": is_member
    | is_staff_member
    | (report_filed & acts_for_the_district),
    # write, attach files to and submit a report
    "experimenters.write_report": is_member,
    # accept a report or ask for changes
    "experimenters.review_report": is_staff_member,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
