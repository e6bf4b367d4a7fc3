"""The freedesktop launcher entry: a ``.desktop`` file and the icon under ``$XDG_DATA_HOME``.

``mnist-pad --install-desktop-entry`` writes exactly two files, named by the
app's reverse-DNS id; ``--uninstall-desktop-entry`` removes exactly those two
and says where the user's own data stays. The window names the same id with
``QGuiApplication.setDesktopFileName``, so launchers and Wayland match the
window to the entry and its icon. Pure: nothing here imports Qt.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mnist_pad.user_data import data_directory, models_directory

APP_ID = "io.github.mnist_pad.MnistPad"
COMMAND = "mnist-pad"


def entry_path(home: Path) -> Path:
    return home / "applications" / f"{APP_ID}.desktop"


def icon_path(home: Path) -> Path:
    return home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def launch_command(argv0: str = sys.argv[0]) -> list[str]:
    """The command that started this process as an absolute path; launchers do not read the shell's PATH."""
    script = Path(argv0)
    if script.name == COMMAND and script.is_file():
        return [str(script.absolute())]
    return [sys.executable, "-m", "mnist_pad"]


def exec_value(command: list[str]) -> str:
    """``command`` as a desktop entry's ``Exec`` value: arguments quoted as the specification says."""

    def quote(argument: str) -> str:
        if not any(c in argument for c in ' \t\n"\'\\><~|&;$*?#()`='):
            return argument
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
        return f'"{escaped}"'

    # The string value's own escaping then doubles every backslash.
    return " ".join(quote(argument) for argument in command).replace("\\", "\\\\")


def entry_text(command: list[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=mnist-pad",
            "GenericName=Handwritten digit recogniser",
            "Comment=Draw a digit and watch a neural network recognise it",
            f"Exec={exec_value(command)}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "Categories=Education;ArtificialIntelligence;",
            "Keywords=MNIST;handwriting;neural network;Keras;",
            f"StartupWMClass={COMMAND}",
            "",
        ]
    )


def install(home: Path, command: list[str]) -> list[Path]:
    """Write the entry and the icon, each atomically; the paths written."""
    # Imported here: the window imports this module for APP_ID, and these would delay its first paint.
    from importlib import resources

    from mnist_pad.files import OutputError, ensure_writable, write_bytes_atomic

    icon = (resources.files("mnist_pad.resources") / "icon.svg").read_bytes()
    written = []
    for path, payload in ((icon_path(home), icon), (entry_path(home), entry_text(command).encode())):
        ensure_writable(path)  # a folder that cannot be made or written: one sentence
        try:
            write_bytes_atomic(path, payload)
        except OSError as error:
            raise OutputError(f"{path}: cannot be written ({error.strerror or error}).") from error
        written.append(path)
    return written


def uninstall(home: Path) -> list[Path]:
    """Remove the entry and the icon that ``install`` writes, nothing else; the paths removed."""
    from mnist_pad.files import OutputError

    removed = []
    for path in (entry_path(home), icon_path(home)):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise OutputError(f"{path}: cannot be removed ({error.strerror or error}).") from error
        removed.append(path)
    return removed


def user_data_text() -> str:
    """What uninstalling leaves in place: where the user's saved digits and models are, naming only those that exist."""
    kept = []
    store = _store_with_digits()
    if store is not None:
        kept.append(f"your saved digits ({store})")
    models = models_directory()
    if models.is_dir() and any(models.iterdir()):
        kept.append(f"the models you trained or adapted ({models})")
    if kept:
        return f"Your own data stays: {' and '.join(kept)}. Delete them yourself if you no longer want them."
    if data_directory().is_dir():
        return f"You have no saved digits or models to keep; delete {data_directory()} to leave no trace of mnist-pad."
    return "You have no saved digits or models to keep."


def _store_with_digits() -> Path | None:
    """The my-digits store if it holds a digit, or cannot be read and so may; else None.

    The window creates the store when it first opens, so an existing file may hold nothing.
    """
    from mnist_pad.my_digits import DigitStore, StoreError, default_store_path

    path = default_store_path()
    if not path.is_file():
        return None
    try:
        with DigitStore(path) as store:
            return path if any(store.counts()) else None
    except StoreError:
        return path  # not ours to judge: say where it is
