from rest_framework.routers import SimpleRouter


class ApiRouter(SimpleRouter):
    """Paths as the spec writes them (`/programInstances/{id}`); a trailing slash is optional."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
