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


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


class EnrollmentTable(tables.Table):
    """The enrollments list. Every column but the checkbox and the name can be hidden
    (`COLUMN_CHOICES`); a `source` column appears when the model has the field."""

    select = SelectColumn()
    name = tables.Column(
        verbose_name="Name",
        accessor="last_name",
        order_by=("last_name", "first_name", "id"),
        linkify=("dashboard:enrollment-detail", {"pk": tables.A("pk")}),
    )
    email = tables.Column(verbose_name="Email")
    phone = tables.Column(verbose_name="Phone", empty_values=())
    program_instance = tables.Column(
        verbose_name="Instance",
        accessor="program_instance__name",
        order_by=("program_instance__name", "id"),
    )
    status = tables.Column(verbose_name="Status", order_by=("status", "-created_at", "-id"))
    location = tables.Column(
        verbose_name="City, state", accessor="state", order_by=("state", "city", "id")
    )
    postal_code = tables.Column(verbose_name="Postal code", order_by=("postal_code", "id"))
    device = tables.Column(
        verbose_name="Device", accessor="device_type", order_by=("device_type", "id")
    )
    capacity = tables.Column(
        verbose_name="Capacity (kWh)",
        accessor="device_capacity",
        order_by=("device_capacity", "id"),
        attrs={"td": {"class": "num-col"}, "th": {"class": "num-col"}},
        empty_values=(),
    )
    manufacturers = tables.Column(
        verbose_name="Manufacturers", accessor="manufacturer_slugs", orderable=False
    )
    serial_number = tables.Column(verbose_name="Serial number", empty_values=())
    eligibility_reason = tables.Column(
        verbose_name="Eligibility reason", orderable=False, empty_values=()
    )
    reference_id = tables.Column(verbose_name="Reference", empty_values=())
    tags = tables.Column(verbose_name="Tags", orderable=False, empty_values=())
    created_at = tables.DateTimeColumn(
        verbose_name="Created", format="j M Y H:i", order_by=("created_at", "id")
    )
    updated_at = tables.DateTimeColumn(
        verbose_name="Updated", format="j M Y H:i", order_by=("updated_at", "id")
    )

    class Meta:
        model = Enrollment
        fields = ()
        sequence = (
            "select",
            "name",
            "email",
            "phone",
            "program_instance",
            "status",
            "location",
            "postal_code",
            "device",
            "capacity",
            "manufacturers",
            "serial_number",
            "eligibility_reason",
            "reference_id",
            "tags",
            "...",
            "created_at",
            "updated_at",
        )
        template_name = "dashboard/tables/table.html"
        # The page size is read by the view (capped at 100), never by django-tables2 itself.
        per_page_field = "_perPage"
        order_by_field = "sort"
        attrs = {"class": "enrollments"}
        orderable = True
        empty_text = "No enrollments match these filters."

    def __init__(self, *args, show_select=True, columns=None, **kwargs):
        extra = list(kwargs.pop("extra_columns", []) or [])
        if _has_field(Enrollment, "source"):
            extra.append(
                ("source", tables.Column(verbose_name="Source", order_by=("source", "id")))
            )
        super().__init__(*args, extra_columns=extra, **kwargs)
        if not show_select:
            self.columns.hide("select")
        if columns is not None:
            for name in column_choices():
                if name not in columns:
                    self.columns.hide(name)

    def render_name(self, record):
        return f"{record.first_name} {record.last_name}".strip() or record.email

    def render_status(self, record):
        return format_html(
            '<span class="status status-{}">{}</span>', record.status, record.get_status_display()
        )

    def render_phone(self, value):
        return value or "—"

    def render_location(self, record):
        return ", ".join(p for p in (record.city, record.state) if p) or "—"

    def render_device(self, record):
        return record.device_type or "—"

    def render_capacity(self, value):
        return "—" if value is None else f"{value.normalize():f}"

    def render_manufacturers(self, value):
        return ", ".join(value or []) or "—"

    def render_serial_number(self, value):
        return value or "—"

    def render_eligibility_reason(self, value):
        return value or "—"

    def render_reference_id(self, value):
        return value or "—"

    def render_tags(self, record):
        return ", ".join(record.tags or []) or "—"


COLUMN_LABELS = {
    "email": "Email",
    "phone": "Phone",
    "program_instance": "Instance",
    "status": "Status",
    "location": "City, state",
    "postal_code": "Postal code",
    "device": "Device",
    "capacity": "Capacity (kWh)",
    "manufacturers": "Manufacturers",
    "serial_number": "Serial number",
    "eligibility_reason": "Eligibility reason",
    "reference_id": "Reference",
    "tags": "Tags",
    "created_at": "Created",
    "updated_at": "Updated",
}
DEFAULT_COLUMNS = (
    "email",
    "program_instance",
    "status",
    "device",
    "capacity",
    "created_at",
    "updated_at",
)


def column_choices() -> dict[str, str]:
    """Column name → label of the columns a member may show or hide."""
    choices = dict(COLUMN_LABELS)
    if _has_field(Enrollment, "source"):
        choices["source"] = "Source"
    return choices
