"""List pagination: ``?page=`` and ``?page_size=`` (default 100, at most 1000)."""
from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = "每页条数（默认100，最多1000）"
    page_query_description = "页码（从1起）"
