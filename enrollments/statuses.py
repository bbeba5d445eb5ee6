"""The enrollment statuses, in a module of their own so that the transition table
(`enrollments.transitions`) and the apps that read it (events, dashboard) need not import the
models to name a status."""

from django.db import models


class EnrollmentStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    UNENROLLED = "unenrolled", "Unenrolled"


# An enrollment in one of these blocks another enrollment of the same customer in the same
# instance (a rejected or unenrolled customer may apply again).
CLOSED_STATUSES = (EnrollmentStatus.REJECTED, EnrollmentStatus.UNENROLLED)
# "Enrolled" for `excludeProgramSlugs`: taking part in, or applied to, a program.
ENROLLED_STATUSES = (EnrollmentStatus.SUBMITTED, EnrollmentStatus.APPROVED)
