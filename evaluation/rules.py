"""Who may do what in the jury space, as small named predicates combined with ``&``.

Each predicate takes the user and an ``Assignment``. Views
test a named rule with ``rules.test_rule`` — not ``user.has_perm``, which lets a superuser
through everything — and answer 404 when a rule about someone else's object fails.
"""

import rules


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


is_assigned_and_not_conflicted = is_assignee & has_declared_no_conflict

RULES = {
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
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)


def test(name, user, assignment):
    """True when ``user`` passes rule ``name`` on ``assignment``."""
    return rules.test_rule(name, user, assignment)
