"""Template helpers of the jury side shown elsewhere on the portal."""

from django import template

from evaluation.apps import JURY_SESSION_KEY
from evaluation.models import JuryMember

register = template.Library()


@register.simple_tag(takes_context=True)
def sits_on_a_jury(context):
    """Whether the signed-in user is a jury member of any call: ``{% sits_on_a_jury as x %}``.

    Read from the session flag set at login (no query); a session from before the flag
    existed asks the database once and keeps the answer.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    session = request.session
    if JURY_SESSION_KEY not in session:
        session[JURY_SESSION_KEY] = JuryMember.objects.filter(user=user).exists()
    return bool(session[JURY_SESSION_KEY])
