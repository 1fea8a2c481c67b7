from drf_spectacular.utils import extend_schema, extend_schema_view

from banks import services
from banks.api.serializers import InstitutionSerializer, InstitutionWriteSerializer
from banks.filtersets import InstitutionFilterSet
from banks.models import Institution
from portal.api.views import PortalModelViewSet


@extend_schema_view(
    list=extend_schema(summary="法人机构列表"), retrieve=extend_schema(summary="法人机构"),
    create=extend_schema(summary="新增法人机构（省局）"), partial_update=extend_schema(summary="修改法人机构（省局）"),
)
class InstitutionViewSet(PortalModelViewSet):
    queryset = Institution.objects.all()
    serializer_class = InstitutionSerializer
    write_serializer_class = InstitutionWriteSerializer
    filterset_class = InstitutionFilterSet
    ordering_fields = ["name", "short_name", "type"]
    ordering = ["type", "name"]
    create_service = staticmethod(lambda *, actor, data: services.institution_create(actor=actor, data=data))
    update_service = staticmethod(lambda *, actor, obj, data: services.institution_update(actor=actor, institution=obj, data=data))
