"""Demo data: Zhejiang's small-business parks as listed in the 2020 plan (浙银保监发〔2020〕15号),
their registers and their 2019Q2–2020Q4 filings. ``demo_build`` (in ``build``) is the entry point;
the modules are split by what they build:

- ``catalogue`` and ``calibration``: declarative tables (names, banks, shares, rates, paths);
- ``regions``, ``park_plan``, ``institutions``, ``tenants``, ``links`` and ``registers``: the registers;
- ``loaded``, ``ledgers``, ``banks`` and ``filings``: the T1–T5 rows and filings;
- ``timelines``: which filing is made when, its status and dates, and its transitions;
- ``reset``: whether demo data is there, and wiping it.
"""
