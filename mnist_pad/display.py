"""Can Qt open a window here? Answered before Qt is imported, in one sentence.

Without a display, with an X display that does not answer, or without a system
library that Qt's X11 platform plugin needs, Qt aborts with a message that
suggests reinstalling the application, which never helps. This module finds
these cases first. The libraries are not guessed: the X11 plugin that Qt would
load is itself loaded with the system's dynamic loader, which names the first
library it cannot find. Qt loads that plugin a moment later anyway, so the
check costs the first paint almost nothing.
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
# DISPLAY is [protocol/][host]:number[.screen]; an empty host (or "unix") is a local socket.
_X_DISPLAY = re.compile(r"^(?:(?P<protocol>[a-z]+)/)?(?P<host>[^/]*):(?P<number>\d+)(?:\.\d+)?$")
X_SOCKET_FOLDER = "/tmp/.X11-unix"
X_TCP_PORT = 6000  # display n listens at 6000 + n
_TCP_TIMEOUT_S = 3.0  # a display over the network (ssh -X answers at localhost at once)
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
    silent = silent_x_display_sentence(environ.get("DISPLAY", ""), platform)
    if silent is not None:
        return silent
    plugin = xcb_plugin_path()
    return missing_library_sentence(plugin) if plugin is not None else None


def silent_x_display_sentence(display: str, platform: str = sys.platform) -> str | None:
    """The sentence saying that the X display named ``display`` does not answer, or None when it
    answers (or its name is one we do not read: Qt then says what is wrong).

    Qt aborts (exit 134) when it cannot connect. Connecting to the server's socket
    first, as Xlib would, costs a local display a fraction of a millisecond.
    """
    match = _X_DISPLAY.match(display)
    if match is None:
        return None
    protocol, host, number = match["protocol"] or "", match["host"], int(match["number"])
    if protocol not in ("", "unix", "tcp"):
        return None
    if protocol == "unix" or (not protocol and host in ("", "unix")):
        where = f"{X_SOCKET_FOLDER}/X{number}"
        answers = _unix_socket_answers(where, platform)
    else:
        where = f"port {X_TCP_PORT + number} of {host}"
        answers = _tcp_answers(host, X_TCP_PORT + number)
    if answers:
        return None
    return (
        f"the X display {display} named by DISPLAY does not answer (nothing listens at {where}); "
        "start its X server, or set DISPLAY to one that runs."
    )


def _unix_socket_answers(path: str, platform: str) -> bool:
    # _socket, not socket: importing socket would cost the first paint a few milliseconds.
    import _socket

    # On Linux an X server listens on an abstract socket of that name too, and a sandbox may
    # show only that one; Xlib tries it first.
    addresses = ["\0" + path, path] if platform.startswith("linux") else [path]
    for address in addresses:
        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            connection.connect(address)
            return True
        except OSError:
            continue
        finally:
            connection.close()
    return False


def _tcp_answers(host: str, port: int) -> bool:
    import socket

    try:
        socket.create_connection((host, port), timeout=_TCP_TIMEOUT_S).close()
        return True
    except OSError:
        return False


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
