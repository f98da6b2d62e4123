"""What a run imports, and when; and how the program ends.

A store's week is about a second of work, so what the interpreter does around it
counts: pandas (a quarter of a second to import), the history's database library
and multiprocessing are imported while the children read the inbox, never before
they start; the copies' XML escaping does not pull in urllib and email
(xml.sax.saxutils does); and the program leaves without the interpreter's
teardown, with its status and every line it printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
AS_OF = "2026-10-31"

# Run in a child: the command line's main on the demo inbox, with the reader's
# entry point watched for what the process had imported when reading began.
WATCH = """
import json, sys
import leadbook.read.isolated as isolated

seen = {}
read = isolated.read_isolated

def watched(*args, **kwargs):
    seen["at_read"] = sorted(m for m in ("numpy", "pandas", "sqlalchemy", "multiprocessing")
                             if m in sys.modules)
    return read(*args, **kwargs)

isolated.read_isolated = watched
from leadbook.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    seen["status"] = done.code
seen["web"] = sorted(m for m in ("xml.sax.saxutils", "urllib.request", "http.client",
                                 "email.parser") if m in sys.modules)
print(json.dumps(seen))
"""


def _watched(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", WATCH, *args], capture_output=True,
                          text=True, check=True, cwd=ROOT, timeout=300)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_the_read_starts_before_pandas_the_history_or_the_workers_are_imported(tmp_path: Path) -> None:
    plain = _watched("process", str(SAMPLE), "--out", str(tmp_path / "a"), "--as-of", AS_OF,
                     "--no-history", "-q")
    assert plain == {"at_read": [], "status": 0, "web": []}
    kept = _watched("process", str(SAMPLE), "--out", str(tmp_path / "b"), "--as-of", AS_OF,
                    "--history", str(tmp_path / "history.db"), "-q")
    assert kept["at_read"] == [] and kept["status"] == 0
    assert (tmp_path / "history.db").stat().st_size > 0


@pytest.mark.slow
def test_the_program_ends_with_its_status_and_all_it_printed(tmp_path: Path) -> None:
    def program(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "leadbook", *args], capture_output=True,
                              text=True, cwd=ROOT, timeout=300)

    done = program("process", str(SAMPLE), "--out", str(tmp_path / "out"), "--as-of", AS_OF,
                   "--no-history")
    assert done.returncode == 0, done.stderr
    # the terminal summary's last line names what was written; summary.json is whole
    assert "summary.json" in done.stdout.strip().splitlines()[-1]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["leads"]["rows"] > 0
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = program("process", str(empty), "--out", str(tmp_path / "none"), "--as-of", AS_OF,
                      "--no-history")
    assert nothing.returncode == 1 and nothing.stderr.strip()
    usage = program("process", str(SAMPLE), "--as-of", "yesterday")
    assert usage.returncode == 2 and "--as-of" in usage.stderr
