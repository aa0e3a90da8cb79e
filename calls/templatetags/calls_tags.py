from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]``, or an empty list when absent (for attachments by slot)."""
    return mapping.get(key, []) if mapping else []
