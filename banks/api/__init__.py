"""REST API for institutions (法人机构)."""
