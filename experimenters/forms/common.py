"""What the experimenter forms share."""

from django.utils.translation import gettext_lazy as _

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
ANSWER_REQUIRED = {"required": _("Answer this question.")}


def _yes(value):
    return value == "yes"
