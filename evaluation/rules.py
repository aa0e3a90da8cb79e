"""Who may do what in the jury space and the selection, as small named predicates combined
with ``&`` (the vocabulary is ``qmi.rules``; code asks through ``qmi.permissions``).

The jury's predicates take the user and an ``Assignment`` (``evaluation.sit_on_jury``: a
``JuryMember``). Views declare their rule with ``qmi.permissions.rule_required`` and answer 404
when a rule about someone else's object fails; the selection's services ``require`` the staff
rules.
"""

import rules

from qmi.rules import is_staff_member

from .assessment.parties import parties_of


@rules.predicate
def is_assignee(user, assignment):
    return (
        assignment is not None
        and user.is_authenticated
        and user.is_active
        and assignment.jury_member.user_id == user.pk
    )


@rules.predicate
def has_declared_no_conflict(user, assignment):
    declaration = getattr(assignment, "conflict", None) if assignment else None
    return declaration is not None and not declaration.has_conflict


@rules.predicate
def has_not_declared_a_conflict(user, assignment):
    declaration = getattr(assignment, "conflict", None) if assignment else None
    return declaration is None or not declaration.has_conflict


def _jury(assignment):
    return getattr(assignment.application.call, "jury", None) if assignment else None


@rules.predicate
def phase_allows_scoring(user, assignment):
    jury = _jury(assignment)
    return jury is not None and jury.allows_scoring


@rules.predicate
def phase_allows_seeing_others_scores(user, assignment):
    jury = _jury(assignment)
    return jury is not None and jury.shows_others_scores


@rules.predicate
def phase_allows_declarations(user, assignment):
    jury = _jury(assignment)
    return assignment is not None and (jury is None or jury.allows_declarations)


@rules.predicate
def holds_the_seat(user, seat):
    return seat is not None and user.is_authenticated and user.is_active and seat.user_id == user.pk


is_assigned_and_not_conflicted = is_assignee & has_declared_no_conflict


@rules.predicate
def fills_a_side(user, assessment):
    """The assessment's experimenter, municipality or project manager
    (``evaluation.assessment.parties``)."""
    return assessment is not None and bool(parties_of(user, assessment))


RULES = {
    # a jury member's pages of a call: their assignments, declarations in bulk
    "evaluation.sit_on_jury": holds_the_seat,
    # the declaration page of an assigned application, until a conflict is declared
    "evaluation.open_declaration": is_assignee & has_not_declared_a_conflict,
    # the applicant's answers, attachments and dossier PDF
    "evaluation.view_dossier": is_assigned_and_not_conflicted,
    # declare a conflict of interest (or none) on an assigned application
    "evaluation.declare_interests": is_assignee
    & has_not_declared_a_conflict
    & phase_allows_declarations,
    # save or finalise one's own review
    "evaluation.score": is_assigned_and_not_conflicted & phase_allows_scoring,
    # read the other members' reviews of the application
    "evaluation.see_others_scores": is_assigned_and_not_conflicted
    & phase_allows_seeing_others_scores,
    # staff: the jury of a call (phases, criteria, members, assignments) and the decisions
    "evaluation.run_selection": is_staff_member,
    # staff: place a call's laureates in its districts (propose, move, accept)
    "evaluation.place_laureates": is_staff_member,
    # staff: publish a call's results
    "evaluation.publish_results": is_staff_member,
    # the scores and decisions columns of a table export: staff's exports only
    "evaluation.export_scores": is_staff_member,
    # the 2026 assessment: a party's pages of an assessment (its own side only, see
    # evaluation.assessment.grid for what it reads of the others)
    "evaluation.assess": fills_a_side,
    # staff: the campaigns, extensions, the side-by-side comparison, the dashboard, the report
    "evaluation.run_assessment": is_staff_member,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
