"""Running the installed console scripts the way a user does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# The working directory for `python -c` / `python -m` children: Python puts it first on
# their path, and from the checkout they would import the source tree, not the
# installed package under test (whose resources the source tree maps elsewhere).
OUTSIDE_CHECKOUT = Path(__file__).parent


def run(tool: str, *args: str, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    """Run an installed console script the way a user would."""
    return subprocess.run([script(tool), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


def script(tool: str) -> str:
    return shutil.which(tool) or str(Path(sys.executable).with_name(tool))


def assert_one_sentence_failure(finished: subprocess.CompletedProcess, *needles: str) -> None:
    """Exit status 2 and one line on stderr holding every needle; no traceback."""
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr
    lines = [line for line in finished.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, finished.stderr
    for needle in needles:
        assert needle in lines[0]
