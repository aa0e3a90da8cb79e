"""Who may do what, as named rules built from small predicates: the one vocabulary of the portal.

A rule takes the user and, for most, an object: an ``Applicant`` or anything that belongs to one
(an application, an organisation, a membership: whatever has an ``applicant``). Each app adds its
rules in its own ``rules`` module (``calls.rules``, ``evaluation.rules``), loaded at start-up by
``rules.apps.AutodiscoverRulesConfig``. Code asks them through ``qmi.permissions``: views with
the ``rule_required`` decorator (a refusal is a 404), services with ``require`` (a refusal is a
``PermissionDenied``), templates and buttons with ``allowed``. Rules are tested with
``rules.test_rule``, never ``user.has_perm``, which lets a superuser through everything.

The rules defined here:

- ``qmi.signed_in``: any signed-in, active user (pages of one's own: dashboard, joining);
- ``qmi.is_staff``: a Paris&Co staff member (active);
- ``qmi.act_for``: a confirmed member of the applicant (its pages, its members, invitations);
- ``qmi.own``: the owner of an organisation (hand the ownership over);
- ``qmi.speak_for``: commit the applicant (withdraw, reopen): its owner where it has one (an
  organisation), any confirmed member otherwise (a municipality's members are equal);
- ``qmi.submit_for``: submit for the applicant: as ``qmi.speak_for``, and an organisation must
  have been verified (a pending owner drafts, but does not submit);
- ``qmi.confirm_membership``: staff confirm that someone acts for an applicant.
"""

import rules

from .models import Applicant, Membership


def applicant_of(obj):
    """The applicant ``obj`` is or belongs to, or None."""
    if obj is None or isinstance(obj, Applicant):
        return obj
    return getattr(obj, "applicant", None)


def _active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def _membership(context, user, obj):
    """The user's confirmed membership of the object's applicant, or None; read once per rule
    test (kept in the test's context)."""
    applicant = applicant_of(obj)
    if applicant is None or not _active(user):
        return None
    key = ("qmi.membership", user.pk, applicant.pk)
    if context is not None and key in context:
        return context[key]
    membership = Membership.objects.confirmed().filter(applicant=applicant, user=user).first()
    if context is not None:
        context[key] = membership
    return membership


@rules.predicate
def is_active_user(user):
    return _active(user)


@rules.predicate
def is_staff_member(user):
    return _active(user) and user.is_staff


@rules.predicate(bind=True)
def is_member(self, user, obj):
    """A confirmed member of the object's applicant (a pending request gives nothing)."""
    return _membership(self.context, user, obj) is not None


@rules.predicate(bind=True)
def is_owner(self, user, obj):
    membership = _membership(self.context, user, obj)
    return membership is not None and membership.role == Membership.Role.OWNER


@rules.predicate
def applicant_has_owner(user, obj):
    applicant = applicant_of(obj)
    return applicant is not None and applicant.has_owner


@rules.predicate
def applicant_verified(user, obj):
    """The applicant needs no verification (no owner: a municipality) or was verified."""
    applicant = applicant_of(obj)
    return applicant is not None and not applicant.awaits_verification


RULES = {
    "qmi.signed_in": is_active_user,
    "qmi.is_staff": is_staff_member,
    "qmi.act_for": is_member,
    "qmi.own": is_owner,
    "qmi.speak_for": is_member & (~applicant_has_owner | is_owner),
    "qmi.submit_for": is_member & (~applicant_has_owner | (is_owner & applicant_verified)),
    "qmi.confirm_membership": is_staff_member,
}

for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
