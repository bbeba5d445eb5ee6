"""Customer emails of the self-enrollment door, sent by the worker (never inside a request):
invitations and "here is your status link". Idempotent enough: sending twice sends the same
link twice, nothing else changes."""

from django.tasks import task


@task()
def enrollment_invitation_email(enrollment_id: str, lang: str = "en") -> int:
    from enrollments.emails import invitation_email_send

    return invitation_email_send(enrollment_id=enrollment_id, lang=lang)


@task()
def enrollment_status_link_email(enrollment_id: str, lang: str = "en") -> int:
    from enrollments.emails import status_link_email_send

    return status_link_email_send(enrollment_id=enrollment_id, lang=lang)
