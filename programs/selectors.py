"""Reads on the program catalog shared by the API, the admin and the dashboard."""

from programs.models import Program


def program_get_visible(*, workspace, slug: str | None = None, program_id: str | None = None):
    """A program the workspace may see, by slug or id; None for an unknown or invisible one
    (another organization's private program is indistinguishable from a missing one)."""
    if not slug and not program_id:
        return None
    queryset = Program.objects.for_workspace(workspace)
    if slug:
        queryset = queryset.filter(slug=slug)
    if program_id:
        queryset = queryset.filter(pk=program_id)
    return queryset.first()
