"""One declarative definition per schedule (附表1–5): keys, labels, types, units, rules.
It drives the model fields, the web forms, the xlsx template and parser, the exports and the API."""
from reports.schedules.base import Column, Computed, Context, Issue, Schedule
from reports.schedules.t1 import T1
from reports.schedules.t4 import T4
from reports.schedules.t5 import T5

SCHEDULES = {"T1": T1, "T4": T4, "T5": T5}

__all__ = ["Column", "Computed", "Context", "Issue", "Schedule", "SCHEDULES", "T1", "T4", "T5"]
