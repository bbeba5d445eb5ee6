from django.db import models


class ProgramQuerySet(models.QuerySet):
    """Programs are not owned by a workspace: a workspace sees every public program and its own
    organization's private ones. Same method names as WorkspaceOwnedQuerySet, so the shared base
    viewset, admin mixin and dashboard views scope programs like everything else."""

    def for_workspace(self, workspace):
        return self.filter(
            models.Q(visibility="public")
            | models.Q(visibility="private", organization_id=workspace.organization_id)
        )

    def for_workspaces(self, workspaces):
        return self.filter(
            models.Q(visibility="public")
            | models.Q(
                visibility="private",
                organization_id__in=workspaces.values("organization_id"),
            )
        )
