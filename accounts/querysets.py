"""The tenancy choke point for querysets.

Every workspace-owned model's manager is built from `WorkspaceOwnedQuerySet`, and every view,
admin page and dashboard page reaches those models through `for_workspace()` /
`for_workspaces()` only. A model whose visibility is not a plain workspace foreign key (programs,
which can be public) overrides the two methods with the same names.
"""

from django.db import models


class WorkspaceOwnedQuerySet(models.QuerySet):
    workspace_field = "workspace"

    def for_workspace(self, workspace):
        return self.filter(**{self.workspace_field: workspace})

    def for_workspaces(self, workspaces):
        """Rows of any of these workspaces (the admin for staff who belong to several)."""
        return self.filter(**{f"{self.workspace_field}__in": workspaces})


class ApiKeyQuerySet(WorkspaceOwnedQuerySet):
    def active(self, now):
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class MembershipQuerySet(WorkspaceOwnedQuerySet):
    pass
