"""`make bench` runs every bench/ script and ends with one table of the `RESULT:` lines they printed
(a bench that fails is named there, and make fails)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_bench_collects_every_result_line_into_one_table(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "tests").mkdir()
    (tmp_path / "bench").mkdir()
    for name in ("requirements.txt", "tests/requirements.txt", "bench/benchdb.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "bench" / "alpha.py").write_text('print("warming up")\nprint("RESULT: alpha_ratio 1.5x (3 ms vs 2 ms)")\n')
    (tmp_path / "bench" / "beta.py").write_text('import sys\nprint("RESULT: beta_rows 20000 rows/s")\nsys.exit(3)\n')
    stamp = tmp_path / "installed"
    stamp.write_text("")  # newer than the requirements: nothing to install
    venv = Path(sys.executable).parent.parent
    out = subprocess.run(["make", "-s", "bench", f"VENV={venv}", f"STAMP={stamp}"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "MAKEFLAGS": ""})
    assert out.returncode != 0  # beta failed
    table = out.stdout.split("== results\n", 1)[1].splitlines()
    assert [line.split()[:3] for line in table] == [
        ["alpha", "alpha_ratio", "1.5x"], ["beta", "-", "FAILED"], ["beta", "beta_rows", "20000"]]
    assert table[0].endswith("1.5x (3 ms vs 2 ms)")
    assert "warming up" in out.stdout.split("== results")[0]  # each bench's own output streams as it runs
