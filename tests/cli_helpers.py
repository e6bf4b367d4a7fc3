"""Running the installed console scripts the way a user does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def run(tool: str, *args: str, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    """Run an installed console script the way a user would."""
    return subprocess.run([script(tool), *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout)


def script(tool: str) -> str:
    return shutil.which(tool) or str(Path(sys.executable).with_name(tool))
