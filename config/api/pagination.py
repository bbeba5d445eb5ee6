"""`{data, page, perPage, totalItems, totalPages}` pagination, as the contract fixes it."""

import math

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def _positive_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"Must be a whole number, got {raw!r}."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be 1 or more."]})
    return value


class PagePagination(BasePagination):
    """Pages start at 1; `perPage` above 100 is capped (the response says which was used)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.page = _positive_int(request, "page", 1)
        self.per_page = min(_positive_int(request, "perPage", DEFAULT_PER_PAGE), MAX_PER_PAGE)
        self.total_items = queryset.count()
        start = (self.page - 1) * self.per_page
        if start >= self.total_items:
            return []
        return list(queryset[start : start + self.per_page])

    def get_paginated_response(self, data):
        return Response(
            {
                "data": data,
                "page": self.page,
                "perPage": self.per_page,
                "totalItems": self.total_items,
                "totalPages": math.ceil(self.total_items / self.per_page) if self.per_page else 0,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "page", "perPage", "totalItems", "totalPages"],
            "properties": {
                "data": schema,
                "page": {"type": "integer", "example": 1},
                "perPage": {"type": "integer", "example": 20},
                "totalItems": {"type": "integer", "example": 57},
                "totalPages": {"type": "integer", "example": 3},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "perPage",
                "in": "query",
                "required": False,
                "description": "Items per page (default 20, at most 100).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            },
        ]
