"""Dashboard pages, one module per area; every view inherits dashboard.mixins.WorkspaceViewMixin."""
