from accounts.querysets import WorkspaceOwnedQuerySet


class ProgramInstanceQuerySet(WorkspaceOwnedQuerySet):
    pass
