"""``mnist-pad``: open the drawing window.

Arguments are checked before Qt or TensorFlow is imported, so ``--help`` and a
bad ``--model`` answer at once; TensorFlow is imported later by the window's
background loader, after the window is on screen.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import argparse


class LaunchOptions(NamedTuple):
    """What the command line asks for."""

    model: str | None = None
    data: str | None = None
    install_desktop_entry: bool = False
    uninstall_desktop_entry: bool = False


def parse_args(argv: list[str]) -> LaunchOptions:
    if not argv:
        # How a launcher starts it. Building the parser would cost the first paint 4-5 ms:
        # argparse looks up a translation (gettext) for each help text.
        return LaunchOptions()
    namespace = build_parser().parse_args(argv)
    if namespace.version:
        print(f"mnist-pad {installed_version()}")
        raise SystemExit(0)
    return options_from(namespace)


def options_from(namespace: argparse.Namespace) -> LaunchOptions:
    return LaunchOptions(**{name: getattr(namespace, name) for name in LaunchOptions._fields})


def build_parser() -> argparse.ArgumentParser:
    from training.arguments import ArgumentParser

    parser = ArgumentParser(
        prog="mnist-pad",
        description="Draw a digit and watch a Conv2D network recognise it; retrain it in the Train tab.",
    )
    parser.add_argument(
        "--model", metavar="PATH", help="Keras model (.h5 or .keras) to start with (default: the bundled one)"
    )
    parser.add_argument(
        "--data", metavar="PATH", help="MNIST for the Train tab: an .npz or a folder of IDX files"
    )
    parser.add_argument("--version", action="store_true", help="show the version and exit")
    entry = parser.add_mutually_exclusive_group()
    entry.add_argument(
        "--install-desktop-entry", action="store_true",
        help="add mnist-pad and its icon to the desktop's launcher (under $XDG_DATA_HOME) and exit",
    )
    entry.add_argument(
        "--uninstall-desktop-entry", action="store_true",
        help="remove what --install-desktop-entry wrote, keeping your digits and models, and exit",
    )
    return parser


def installed_version() -> str:
    """Looked up only for ``--version``: importlib.metadata costs the window 70 ms."""
    from importlib import metadata

    try:
        return metadata.version("mnist-pad")
    except metadata.PackageNotFoundError:
        return "unknown"


def check_arguments(args: LaunchOptions) -> str | None:
    """The one sentence that makes the arguments unusable, or None."""
    if args.model:
        # Here, not at the top: model_io's imports (json, zipfile, dataclasses, hashlib)
        # would delay the first paint of every start without --model.
        from mnist_pad.model_io import ModelLoadError, inspect_model_file

        try:
            inspect_model_file(args.model)
        except ModelLoadError as error:
            return str(error)
    if args.data and not Path(args.data).exists():
        return f"{args.data}: no such file or folder."
    return None


def desktop_entry(install: bool) -> int:
    """``--install-desktop-entry`` / ``--uninstall-desktop-entry``: say what changed, and where the data is."""
    from mnist_pad import desktop
    from mnist_pad.errors import PlainError
    from mnist_pad.user_data import data_home

    home = data_home()
    try:
        changed = desktop.install(home, desktop.launch_command()) if install else desktop.uninstall(home)
    except PlainError as error:
        print(f"mnist-pad: {error}", file=sys.stderr)
        return 2
    verb = "wrote" if install else "removed"
    for path in changed:
        print(f"{verb} {path}")
    if not install:
        if not changed:
            print("no desktop entry was installed")
        print(desktop.user_data_text())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return desktop_entry(args.install_desktop_entry)
    problem = check_arguments(args)
    if problem:
        print(f"mnist-pad: {problem}", file=sys.stderr)
        return 2
    from mnist_pad.display import display_problem

    problem = display_problem()
    if problem:
        print(f"mnist-pad: {problem}", file=sys.stderr)
        return 2

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from mnist_pad.desktop import APP_ID
    from mnist_pad.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    # Qt merges the mouse moves queued while the GUI thread is busy into the last one: a
    # stroke drawn then would become a straight line. Every point is kept instead. (After
    # the QApplication: the X11 platform sets its default while the application starts.)
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_CompressHighFrequencyEvents, False)
    app.setApplicationName("mnist-pad")
    app.setDesktopFileName(APP_ID)  # launchers and Wayland find the entry and its icon by it
    window = MainWindow(model_path=args.model, data_path=args.data)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
