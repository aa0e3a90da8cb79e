"""What a jury member may read: registered with ``calls.domain.access`` at start-up."""

from .models import Assignment


def reviewer_scope(user):
    """The applications assigned to ``user`` on which they declared no conflict of interest."""
    return Assignment.objects.visible_to(user).values("application_id")
