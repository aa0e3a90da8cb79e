"""The models of ``calls``, by subject; import them from here."""

from .application import (
    Application,
    ApplicationQuerySet,
    ApplicationUrls,
    ApplicationVersion,
    CorrectionRequest,
    ReferenceSequence,
    StatusChange,
)
from .call import Call, CallQuerySet
from .content import ApplicationContent
from .deadlines import DeadlineExtension
from .deliveries import Delivery, DeliveryQuerySet, OutboxRule
from .exports import ExportJob, _export_path
from .files import PRIVATE_STORAGE, Attachment, _attachment_path, _private_storage
from .messages import Notification, ReminderSent
from .offers import Offer
from .outreach import CallNotice, Contact, ContactQuerySet
from .programme import Edition, FaqEntry, KeyArea, KeyDate, UrbanChallenge
from .sessions import Registration, RegistrationQuerySet, Session, SessionQuerySet

__all__ = [
    "PRIVATE_STORAGE",
    "Application",
    "ApplicationContent",
    "ApplicationQuerySet",
    "ApplicationUrls",
    "ApplicationVersion",
    "Attachment",
    "Call",
    "CallNotice",
    "CallQuerySet",
    "Contact",
    "ContactQuerySet",
    "CorrectionRequest",
    "DeadlineExtension",
    "Delivery",
    "DeliveryQuerySet",
    "Edition",
    "ExportJob",
    "FaqEntry",
    "KeyArea",
    "KeyDate",
    "Notification",
    "Offer",
    "OutboxRule",
    "ReferenceSequence",
    "Registration",
    "RegistrationQuerySet",
    "ReminderSent",
    "Session",
    "SessionQuerySet",
    "StatusChange",
    "UrbanChallenge",
    "_attachment_path",
    "_export_path",
    "_private_storage",
]
