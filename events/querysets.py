from accounts.querysets import WorkspaceOwnedQuerySet


class EventQuerySet(WorkspaceOwnedQuerySet):
    pass
