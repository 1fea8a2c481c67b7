"""Institutions: read for everyone signed in; written (by the province regulator) through
``banks.services``."""
from rest_framework import serializers

from banks.models import Institution


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "short_name", "type", "is_active"]


class InstitutionWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["name", "short_name", "type", "is_active"]
