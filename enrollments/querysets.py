"""Querysets of the enrollments app. Every manager is built from WorkspaceOwnedQuerySet, so the
API base viewset, the admin mixin and the dashboard reach these rows only through
`for_workspace()` / `for_workspaces()`."""

from django.db import models

from accounts.querysets import WorkspaceOwnedQuerySet


class CustomerQuerySet(WorkspaceOwnedQuerySet):
    pass


class LeadQuerySet(WorkspaceOwnedQuerySet):
    pass


class EnrollmentQuerySet(WorkspaceOwnedQuerySet):
    def with_tag(self, *tags: str):
        """Enrollments carrying any of these tags. Uses the EnrollmentTerm index table (an
        indexed equality lookup on SQLite and PostgreSQL alike), never JSON `contains`."""
        from enrollments.models import EnrollmentTerm

        return self.filter(
            pk__in=EnrollmentTerm.objects.filter(
                kind=EnrollmentTerm.Kind.TAG, value__in=tags
            ).values("enrollment_id")
        )

    def with_manufacturer(self, *slugs: str):
        """Enrollments listing any of these manufacturer slugs (same index table as tags)."""
        from enrollments.models import EnrollmentTerm

        return self.filter(
            pk__in=EnrollmentTerm.objects.filter(
                kind=EnrollmentTerm.Kind.MANUFACTURER, value__in=[s.lower() for s in slugs]
            ).values("enrollment_id")
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        query = models.Q()
        for word in text.split():
            query &= (
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(email__icontains=word)
                | models.Q(reference_id__icontains=word)
                | models.Q(serial_number__icontains=word)
            )
        return self.filter(query)


class EnrollmentStatusChangeQuerySet(WorkspaceOwnedQuerySet):
    pass
