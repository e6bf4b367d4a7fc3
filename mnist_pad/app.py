"""``mnist-pad``: open the drawing window.

Arguments are checked before Qt or TensorFlow is imported, so ``--help`` and a
bad ``--model`` answer at once; TensorFlow is imported later by the window's
background loader, after the window is on screen.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mnist_pad.model_io import ModelLoadError, inspect_model_file
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
        try:
            inspect_model_file(args.model)
        except ModelLoadError as error:
            return str(error)
    if args.data and not Path(args.data).exists():
        return f"{args.data}: no such file or folder."
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = check_arguments(args)
    if problem:
        print(f"mnist-pad: {problem}", file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from mnist_pad.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("mnist-pad")
    window = MainWindow(model_path=args.model, data_path=args.data)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
