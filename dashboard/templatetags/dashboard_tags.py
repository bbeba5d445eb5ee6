from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ counts|get_item:status }}`: a dict lookup with a variable key (0 when absent)."""
    try:
        return mapping.get(key, 0)
    except AttributeError:
        return 0


@register.filter
def scope_words(scope):
    """`{{ "enrollments:review"|scope_words }}` → "Approve or reject submitted enrollments"."""
    from dashboard.words import scope_words as words

    return words(scope)


@register.filter
def plain_words(message):
    """A service message with API field names replaced by words."""
    from dashboard.words import plain

    return plain(message)


@register.filter
def field_words(name):
    """`{{ "firstName"|field_words }}` → "First name"."""
    from dashboard.words import field_words as words

    return words(name)


@register.filter
def event_words(event_type):
    """`{{ "enrollment.created"|event_words }}` → "Enrollment created"."""
    from dashboard.words import event_words as words

    return words(event_type or "")


@register.filter
def pretty_json(value):
    """A JSON value indented for reading (a webhook's request body)."""
    import json

    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@register.filter
def delivery_body(delivery):
    """The JSON body a webhook delivery sends (`events.payloads.delivery_payload`), indented."""
    from datetime import UTC

    from django.utils import timezone

    from events.payloads import delivery_payload

    if delivery.payload is None and delivery.event_id is None:
        return "(no body recorded)"
    with timezone.override(UTC):  # as sent: the API's times are UTC whatever the page's zone
        return pretty_json(delivery_payload(delivery))
