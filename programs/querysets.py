from django.db import models


class ProgramQuerySet(models.QuerySet):
    """Programs are not owned by a workspace: a workspace sees every public program and its own
    organization's private ones. Same method names as WorkspaceOwnedQuerySet, so the shared base
    viewset, admin mixin and dashboard views scope programs like everything else."""

    def for_workspace(self, workspace):
        # Tenancy guard: another organization's private programs never leave this method.
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

    def in_state(self, code: str):
        """Programs available in a US state (an indexed lookup on ProgramState)."""
        from programs.models import ProgramState

        return self.filter(
            pk__in=ProgramState.objects.filter(state=code.strip().upper()).values("program_id")
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(slug__icontains=text)
            | models.Q(description__icontains=text)
        )
