"""The ``mnist-pad`` command line: help, and refusing bad files before any window opens."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest
from bad_models import BAD_MODEL_KINDS, lambda_marker
from cli_helpers import OUTSIDE_CHECKOUT


def run_offscreen(*args: str, timeout: float = 60, env=os.environ) -> subprocess.CompletedProcess:
    """This Python with ``args``, outside the checkout, on Qt's offscreen platform."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=timeout,
        env=dict(env, QT_QPA_PLATFORM="offscreen"),
    )


def run_app(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return run_offscreen("-m", "mnist_pad.app", *args, timeout=timeout)


def assert_refused(result: subprocess.CompletedProcess, name: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_help_exits_zero_and_names_the_options():
    result = run_app("--help")
    assert result.returncode == 0
    for option in ("--model", "--data", "--version"):
        assert option in result.stdout


def test_version_prints_the_installed_version_and_exits_zero():
    from importlib import metadata

    result = run_app("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"mnist-pad {metadata.version('mnist-pad')}")


def test_a_start_without_arguments_builds_no_parser_yet_gets_its_defaults():
    from mnist_pad.app import build_parser, options_from, parse_args

    assert parse_args([]) == options_from(build_parser().parse_args([]))


def test_help_imports_neither_tensorflow_nor_qt_widgets():
    probe = textwrap.dedent(
        """
        import sys
        from mnist_pad.app import main
        try:
            main(["--help"])
        except SystemExit as done:
            code = done.code
        print(code, "tensorflow" in sys.modules, "PySide6.QtWidgets" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "0 False False"


def test_the_window_modules_do_not_import_tensorflow():
    probe = (
        "import sys, mnist_pad.gui.main_window;"
        " print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=60
    )
    assert result.stdout.strip() == "False False", result.stderr


@pytest.mark.parametrize("kind", BAD_MODEL_KINDS)
def test_an_unusable_model_exits_2_before_any_window_or_tensorflow(bad_models, kind):
    bad = bad_models[kind]
    probe = textwrap.dedent(
        """
        import sys
        from mnist_pad.app import main
        code = main(sys.argv[1:])
        print("tensorflow" in sys.modules, "PySide6.QtWidgets" in sys.modules)
        sys.exit(code)
        """
    )
    result = run_offscreen("-c", probe, "--model", str(bad.path))
    assert result.stdout.strip() == "False False", "TensorFlow or Qt widgets were imported"
    result.stdout = ""
    assert_refused(result, str(bad.path))
    assert bad.reason in result.stderr
    assert not lambda_marker(bad.path).exists()


@pytest.mark.parametrize(
    "name, content",
    [("corrupt.h5", b"\x89HDF\r\n" + b"\0" * 300), ("corrupt.keras", b"PK" + b"x" * 300)],
)
def test_a_corrupt_model_exits_2_with_one_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert_refused(run_app("--model", str(path)), name)


def test_a_file_of_another_kind_exits_2_with_one_line(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"\0" * 64)
    assert_refused(run_app("--model", str(path)), "weights.bin")


def test_missing_training_data_exits_2_with_one_line(tmp_path):
    assert_refused(run_app("--data", str(tmp_path / "nothing.npz")), "nothing.npz")


# Lines TensorFlow's native start-up writes to stderr (oneDNN notice, CUDA probe, absl's logs).
TENSORFLOW_NOISE = re.compile(r"oneDNN|cuda|cuInit|cpu_feature_guard|absl|tensorflow|^[IWEF]\d{4} ", re.IGNORECASE)


def test_the_window_prints_no_tensorflow_lines_while_it_loads_the_model():
    probe = textwrap.dedent(
        """
        import sys
        from PySide6.QtWidgets import QApplication
        import mnist_pad.gui.main_window as main_window

        class QuitOnceLoaded(main_window.MainWindow):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.state.model_changed.connect(lambda path: (print("loaded", path), QApplication.quit()))
                self.show_error = lambda text: (print("error", text), QApplication.quit())

        main_window.MainWindow = QuitOnceLoaded
        from mnist_pad.app import main
        sys.exit(main([]))
        """
    )
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = run_offscreen("-c", probe, timeout=180, env=env)
    assert result.returncode == 0 and result.stdout.startswith("loaded "), result.stdout + result.stderr
    noise = [line for line in result.stderr.splitlines() if TENSORFLOW_NOISE.search(line)]
    assert noise == []


def test_the_first_frame_builds_no_qt_class_that_only_later_work_needs():
    """PySide builds a Qt class, with its Python enums, when code first names it or when resolving an
    overload makes it check an argument against it: QIcon (QPushButton(text, parent), QAction(text,
    parent)), QGradient (QPainter.fillRect(rect, QColor)). Each costs the first paint milliseconds."""
    probe = textwrap.dedent(
        """
        from PySide6 import QtGui, QtWidgets
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication
        from mnist_pad.gui.main_window import MainWindow

        LATER = ("QIcon", "QGradient", "QImage", "QPixmap", "QMessageBox", "QFileDialog")

        class FirstPaint(QObject):
            def eventFilter(self, watched, event):
                if event.type() == QEvent.Type.Paint:
                    watched.removeEventFilter(self)
                    QTimer.singleShot(0, report)  # queued before the window's own start-up work
                return False

        def report():
            print(*[name for name in LATER if name in vars(QtGui) or name in vars(QtWidgets)])
            started.start(20)

        def start_up_done():  # the last step of the start-up work: the Train tab built
            if type(window.tabs.widget(3)).__name__ == "TrainTab":
                app.quit()

        app = QApplication([])
        window = MainWindow()
        first_paint = FirstPaint()
        started = QTimer()
        started.timeout.connect(start_up_done)
        window.installEventFilter(first_paint)
        window.show()
        app.exec()
        print(*[name for name in LATER if name in vars(QtGui) or name in vars(QtWidgets)])
        """
    )
    result = run_offscreen("-c", probe, timeout=180)
    lines = result.stdout.splitlines()
    assert lines[0] == "", result.stdout + result.stderr
    assert "QIcon" in lines[1]  # the probe sees classes as they are built: the window icon, after the paint


def test_the_window_is_built_without_its_heavy_imports_which_follow_its_first_paint():
    probe = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        import mnist_pad.app, mnist_pad.desktop, mnist_pad.display  # what main() imports before the window
        from mnist_pad.gui.main_window import MainWindow

        AFTER_FIRST_PAINT = (  # slow to import, and not needed before it
            "numpy", "pyqtgraph", "h5py", "tensorflow", "multiprocessing", "importlib.metadata",
            "mnist_pad.model_io", "mnist_pad.files", "mnist_pad.gui.jobs", "training.job", "mnist_pad.gui.toast",
            "json", "hashlib", "dataclasses", "importlib.resources",
        )
        app = QApplication([])
        window = MainWindow()
        print(*[name for name in AFTER_FIRST_PAINT if name in sys.modules])
        window.show()

        def start_up_done():  # the first paint, then the start-up work it queues, the Train tab last
            if type(window.tabs.widget(3)).__name__ == "TrainTab":
                app.quit()

        started = QTimer()
        started.timeout.connect(start_up_done)
        started.start(20)
        app.exec()
        print(*[type(window.tabs.widget(i)).__name__ for i in range(4)], "pyqtgraph" in sys.modules)
        window.close()
        """
    )
    result = run_offscreen("-c", probe, timeout=180)
    # pyqtgraph comes with the Train tab's first showing (its import holds Python's lock for 0.1 s).
    assert result.stdout.splitlines() == ["", "DrawTab MyDigitsView InsideTab TrainTab False"], (
        result.stdout + result.stderr
    )
