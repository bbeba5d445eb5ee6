"""Activity: the workspace's audit log for owners and admins (who changed what, and when).

Reads `AuditEntry.objects.for_workspace()` through the API's filterset, so the filters and their
messages are the API's; each row carries its actor's and object's names, so a page is two
queries (count and rows) whatever its size.
"""

from django.views.generic import TemplateView

from accounts import scopes as scope_names
from audit.filtersets import AuditEntryFilterSet
from audit.models import AuditEntry
from audit.words import OBJECT_WORDS, entry_rows
from dashboard.mixins import WorkspaceViewMixin

PER_PAGE = 50


class ActivityView(WorkspaceViewMixin, TemplateView):
    template_name = "dashboard/activity/list.html"
    read_scope = scope_names.AUDIT_READ
    min_role = scope_names.ROLE_ADMIN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.filtered_page(
            AuditEntryFilterSet, self.scoped(AuditEntry), per_page=PER_PAGE
        )
        context.update(
            listing,
            rows=entry_rows(listing["page"].object_list),
            object_types=sorted(OBJECT_WORDS.items(), key=lambda kv: kv[1]),
        )
        return context
