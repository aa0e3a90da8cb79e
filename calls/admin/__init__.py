"""The staff side of ``calls``: importing the package registers every admin page."""

from . import applications, deliveries, exporting, exports, offers, outreach, sessions  # noqa: F401
