"""Can Qt open a window here? Answered before Qt is imported, in one sentence.

Without a display, or without a system library that Qt's X11 platform plugin
needs, Qt aborts with a message that suggests reinstalling the application,
which never helps. This module finds both cases first. The libraries are not
guessed: the X11 plugin that Qt would load is itself loaded with the system's
dynamic loader, which names the first library it cannot find. Qt loads that
plugin a moment later anyway, so the check costs the first paint almost nothing.
Pure: nothing here imports Qt (only locates PySide6's files).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Mapping

# The Debian/Ubuntu packages of the libraries Qt's X11 plugin needs that a
# minimal desktop-less system lacks (Qt's own list for its xcb plugin).
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY")
_MISSING = re.compile(r"^(?P<library>[^\s:]+\.so[.\d]*): cannot open shared object file")


def display_problem(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str | None:
    """The one sentence saying why no window can open here, or None when one can (or may)."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have their platform plugin
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: the user picked it and Qt says what is wrong
    if not chosen and not any(environ.get(name) for name in DISPLAY_VARIABLES):
        return (
            "no display to open a window on: neither DISPLAY nor WAYLAND_DISPLAY is set "
            "(run it in a desktop session, or over ssh -X)."
        )
    if not chosen and environ.get("WAYLAND_DISPLAY"):
        return None  # Qt may use its Wayland plugin, which needs none of the X11 libraries
    plugin = xcb_plugin_path()
    return missing_library_sentence(plugin) if plugin is not None else None


def xcb_plugin_path() -> Path | None:
    """PySide6's X11 platform plugin, found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_library_sentence(shared_object: Path) -> str | None:
    """The sentence naming the first library ``shared_object`` needs that the system lacks, or None."""
    try:
        ctypes.CDLL(str(shared_object), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as error:
        match = _MISSING.match(str(error))
        if match is None:
            return None  # some other failure: Qt itself reports it better than a guess would
        return missing_library_text(match["library"])
    return None


def missing_library_text(library: str) -> str:
    package = DEBIAN_PACKAGES.get(library)
    where = (
        f"on Debian or Ubuntu: sudo apt install {package}"
        if package
        else f"on Debian or Ubuntu, apt-file search {library} names its package"
    )
    return f"Qt cannot open a window: the system library {library} is missing ({where})."
