from django import template

register = template.Library()


@register.filter
def in_slot(attachments, slot):
    """The attachments of ``slot``, e.g. ``{% for a in attachments|in_slot:"images" %}``."""
    return [a for a in attachments or [] if a.slot == slot]
