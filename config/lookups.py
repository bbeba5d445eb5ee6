"""`field__in_array=[...]`: `field = ANY(%s)` with ONE array parameter on PostgreSQL.

Why: Django renders `__in` as `IN (%s, %s, ...)`, one placeholder per value. For the bulk
paths' lists of 500-1,000 ids or emails that made psycopg scan and quote the statement's
thousand parameters in Python on every chunk, and the planner estimate a thousand-branch IN
list (it chose a sequential scan of the enrollments for the import's match). One array
parameter is one value to send and one `= ANY` index condition. Elsewhere (SQLite) it is
`__in`. Registered on every field by `EnrollmentsConfig.ready()`.
"""

from django.db import models
from django.db.models.lookups import In


class InArray(In):
    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [
            self.lhs.output_field.get_db_prep_value(value, connection)
            for value in dict.fromkeys(self.rhs)
            if value is not None
        ]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


def register() -> None:
    models.Field.register_lookup(InArray)
    models.ForeignObject.register_lookup(InArray)  # related fields keep their own lookups
