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
        """Rows where every word is in the first or last name, email, reference id or serial
        number (any case). Matched against those columns joined by spaces (`SearchText`): a
        word holds no space, so it is in the joined text exactly when it is in one of them,
        and ONE trigram index on PostgreSQL serves every word (migration 0008)."""
        words = text.split()
        if not words:
            return self
        query = models.Q()
        for word in words:
            query &= models.Q(search_text__icontains=word)
        return self.alias(search_text=SearchText()).filter(query)


class EnrollmentStatusChangeQuerySet(WorkspaceOwnedQuerySet):
    pass


# The columns `search` looks in, in the order of the index expression (migration 0008).
SEARCH_COLUMNS = ("first_name", "last_name", "email", "reference_id", "serial_number")


class SearchText(models.Func):
    """`first_name || ' ' || last_name || ' ' || ...` (SEARCH_COLUMNS): the exact expression
    the PostgreSQL trigram index `enr_search_trgm_idx` is built on (so that the planner uses
    it for `UPPER(...) LIKE UPPER('%word%')`; a test reads the plan). The columns are NOT NULL,
    so no COALESCE is needed (Django's Concat would add one per column and the index would
    not match)."""

    output_field = models.TextField()

    def __init__(self):
        super().__init__(*(models.F(column) for column in SEARCH_COLUMNS))

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for column in self.get_source_expressions():
            sql, column_params = compiler.compile(column)
            parts.append(sql)
            params += column_params
        return "(" + " || ' ' || ".join(parts) + ")", params
