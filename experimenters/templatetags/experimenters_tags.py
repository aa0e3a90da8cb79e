from django import template

register = template.Library()


@register.filter
def in_slot(attachments, slot):
    """The attachments of ``slot``, e.g. ``{% for a in attachments|in_slot:"images" %}``."""
    return [a for a in attachments or [] if a.slot == slot]


@register.simple_tag(takes_context=True)
def drafts_to_continue(context, call, applicants):
    """``{% drafts_to_continue call applicants as drafts %}``: the drafts of ``applicants`` in
    ``call`` the user of the page may continue."""
    from experimenters.services import drafts_to_continue

    user = context.get("user")
    if call is None or user is None:
        return []
    return drafts_to_continue(call, applicants, user=user)
