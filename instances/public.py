"""The public addresses of an instance (its enrollment page), shared by the API, the dashboard,
emails and the page itself, so the URL is spelled in one place."""

from django.conf import settings
from django.urls import reverse


def enrollment_page_url(*, instance) -> str:
    """Absolute URL of the instance's public enrollment page (SITE_URL + /enroll/{slug}/)."""
    return settings.SITE_URL + reverse("enroll:page", kwargs={"slug": instance.slug})
