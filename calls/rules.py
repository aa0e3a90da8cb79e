"""The rules of the calls: who may read, change, submit and screen an application, read its
files and dossier, and follow exports (see ``qmi.rules`` for the vocabulary and
``qmi.permissions`` for how code asks).

Rules about an application take the ``Application``. Each workflow transition names its rule
(``calls.domain.workflow``); ``calls.domain.lifecycle`` tests it. Lists are filtered by the
querysets that say the same for many objects at once (``Application.objects.visible_to`` for
``calls.view_application``, ``access.dossier_scope`` for ``calls.read_dossier``);
``tests/test_rules.py`` holds each rule and its queryset to the same answers.
"""

import rules

from qmi.rules import RULES as QMI_RULES
from qmi.rules import is_member, is_staff_member

from .domain.access import jury_scope


@rules.predicate
def is_reviewer(user, application):
    """Reads the application as a reviewer (a jury member assigned to it, not conflicted)."""
    return (
        application is not None
        and user.is_authenticated
        and user.is_active
        and jury_scope(user).filter(pk=application.pk).exists()
    )


@rules.predicate
def has_applications_to_review(user):
    return bool(user.is_authenticated and user.is_active and jury_scope(user).exists())


@rules.predicate
def is_requester(user, job):
    return job is not None and user.is_authenticated and job.requested_by_id == user.pk


RULES = {
    # the applicant side: the application's pages, its receipt
    "calls.view_application": is_member,
    # change the answers and files (the workflow says until when)
    "calls.edit_application": is_member,
    # start an application for an applicant
    "calls.start_application": is_member,
    # take a submitted application back to draft: its owner, for an organisation
    "calls.reopen_application": QMI_RULES["qmi.speak_for"],
    # withdraw, irreversibly: its owner, for an organisation
    "calls.withdraw_application": QMI_RULES["qmi.speak_for"],
    # commit the applicant: submit, submit the correction (an organisation verified first)
    "calls.commit_application": QMI_RULES["qmi.submit_for"],
    # accept or decline the place offered to a laureate: its owner, for an organisation
    "calls.answer_offer": QMI_RULES["qmi.speak_for"],
    # screening by staff: eligibility, corrections, shortlist
    "calls.screen_application": is_staff_member,
    # record and publish decisions
    "calls.decide_application": is_staff_member,
    "calls.grant_extension": is_staff_member,
    # the application's uploaded files
    "calls.read_files": is_member | is_staff_member | is_reviewer,
    # the dossier PDF, packs and exports of the application
    "calls.read_dossier": is_staff_member | is_reviewer,
    # ask for a pack or an export
    "calls.request_exports": is_staff_member | has_applications_to_review,
    # follow and download an export job
    "calls.follow_export": is_staff_member | is_requester,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
