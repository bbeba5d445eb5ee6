"""django-tables2 tables of the dashboard. Sorting and pagination come from django-tables2;
filtering from the API's FilterSets, applied to the scoped queryset before the table sees it."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from enrollments.models import Enrollment


class SelectColumn(tables.Column):
    """A labelled checkbox per row (`ids`), for the bulk actions."""

    def __init__(self, **kwargs):
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault(
            "verbose_name",
            mark_safe(
                '<input type="checkbox" data-select-all aria-label="Select all on this page">'
            ),
        )
        super().__init__(accessor="pk", **kwargs)

    def render(self, value, record):
        return format_html(
            '<input type="checkbox" name="ids" value="{}" form="bulk-form" aria-label="Select {}">',
            value,
            f"{record.first_name} {record.last_name}".strip() or record.email,
        )


class EnrollmentTable(tables.Table):
    select = SelectColumn()
    name = tables.Column(
        verbose_name="Name",
        accessor="last_name",
        order_by=("last_name", "first_name", "id"),
        linkify=("dashboard:enrollment-detail", {"pk": tables.A("pk")}),
    )
    email = tables.Column(verbose_name="Email")
    program_instance = tables.Column(
        verbose_name="Instance",
        accessor="program_instance__name",
        order_by=("program_instance__name", "id"),
    )
    status = tables.Column(verbose_name="Status", order_by=("status", "-created_at", "-id"))
    reference_id = tables.Column(verbose_name="Reference", empty_values=())
    tags = tables.Column(verbose_name="Tags", orderable=False, empty_values=())
    created_at = tables.DateTimeColumn(
        verbose_name="Created", format="Y-m-d H:i", order_by=("created_at", "id")
    )
    updated_at = tables.DateTimeColumn(
        verbose_name="Updated", format="Y-m-d H:i", order_by=("updated_at", "id")
    )

    class Meta:
        model = Enrollment
        fields = ()
        sequence = (
            "select",
            "name",
            "email",
            "program_instance",
            "status",
            "reference_id",
            "tags",
            "created_at",
            "updated_at",
        )
        template_name = "django_tables2/table.html"
        per_page_field = "perPage"
        order_by_field = "sort"
        attrs = {"class": "enrollments"}
        orderable = True
        empty_text = "No enrollments match."

    def __init__(self, *args, show_select=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_select:
            self.columns.hide("select")

    def render_name(self, record):
        return f"{record.first_name} {record.last_name}".strip() or record.email

    def render_status(self, value):
        return format_html('<span class="status status-{0}">{0}</span>', value)

    def render_reference_id(self, value):
        return value or "—"

    def render_tags(self, record):
        return ", ".join(record.tags or []) or "—"
