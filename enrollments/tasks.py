"""Customer emails of the self-enrollment door, sent by the worker (never inside a request):
invitations and "here is your status link". Each enqueue carries a `send_key` made when it was
asked for, so a retried task sends its email once while a second invitation sends another."""

from django.tasks import task


@task()
def enrollment_invitation_email(enrollment_id: str, lang: str = "en", send_key: str = "") -> int:
    from enrollments.emails import invitation_email_send

    return invitation_email_send(enrollment_id=enrollment_id, lang=lang, send_key=send_key)


@task()
def enrollment_status_link_email(enrollment_id: str, lang: str = "en", send_key: str = "") -> int:
    from enrollments.emails import status_link_email_send

    return status_link_email_send(enrollment_id=enrollment_id, lang=lang, send_key=send_key)
