from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ counts|get_item:status }}`: a dict lookup with a variable key (0 when absent)."""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0
