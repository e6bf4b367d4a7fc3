"""``mnist-pad``: open the drawing window.

Arguments are checked before Qt or TensorFlow is imported, so ``--help`` and a
bad ``--model`` answer at once; TensorFlow is imported later by the window's
background loader, after the window is on screen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from training.arguments import ArgumentParser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    parser.add_argument("--version", action=_VersionAction)
    entry = parser.add_mutually_exclusive_group()
    entry.add_argument(
        "--install-desktop-entry", action="store_true",
        help="add mnist-pad and its icon to the desktop's launcher (under $XDG_DATA_HOME) and exit",
    )
    entry.add_argument(
        "--uninstall-desktop-entry", action="store_true",
        help="remove what --install-desktop-entry wrote, keeping your digits and models, and exit",
    )
    return parser.parse_args(argv)


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked for: importlib.metadata costs the window 70 ms."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib import metadata

        try:
            version = metadata.version("mnist-pad")
        except metadata.PackageNotFoundError:
            version = "unknown"
        print(f"{parser.prog} {version}")
        parser.exit()


def check_arguments(args: argparse.Namespace) -> str | None:
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
    args = parse_args(argv)
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

    from PySide6.QtWidgets import QApplication

    from mnist_pad.desktop import APP_ID
    from mnist_pad.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("mnist-pad")
    app.setDesktopFileName(APP_ID)  # launchers and Wayland find the entry and its icon by it
    window = MainWindow(model_path=args.model, data_path=args.data)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
