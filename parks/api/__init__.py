"""REST API for the park registry and 园区大脑 readings."""
