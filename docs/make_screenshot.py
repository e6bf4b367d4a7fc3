"""Render the real main window offscreen with a drawn digit and save docs/screenshot.png.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshot.py [--model PATH] [--out PATH]
    QT_QPA_PLATFORM=offscreen python docs/make_screenshot.py --inside --out docs/inside.png

``--inside`` shows the Inside tab instead, the mouse over a cell of a map.

The digit is a real pen-written one from $MNIST_PAD_PEN_DIGITS when that is
set, else a hand-made '3'; either way it is drawn through mouse events.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPoint, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from mnist_pad.gui.main_window import MainWindow  # noqa: E402
from mnist_pad.gui.replay import draw_with_mouse  # noqa: E402
from mnist_pad.pen_digits import DIGIT_SCALE, load_pen_digits, place_on_canvas  # noqa: E402

OUT = Path(__file__).with_name("screenshot.png")
PEN_DIGIT = (5, 195)  # label, and which of the writers' samples of it: a tidy two-stroke 5

# A '3': two bowls, as one stroke.
HANDMADE_THREE = [
    np.array(
        [[0.36, 0.28], [0.45, 0.21], [0.57, 0.21], [0.63, 0.28], [0.62, 0.37], [0.54, 0.44],
         [0.46, 0.47], [0.56, 0.49], [0.65, 0.56], [0.67, 0.66], [0.61, 0.75], [0.49, 0.79],
         [0.38, 0.76], [0.33, 0.70]],
        np.float32,
    )
]


def pen_digit_strokes(label: int, nth: int) -> list[np.ndarray]:
    """A real pen digit, in tablet units."""
    source = os.environ.get("MNIST_PAD_PEN_DIGITS")
    if not source or not Path(source).is_file():
        return HANDMADE_THREE
    digits = load_pen_digits(source)
    return digits.strokes(np.flatnonzero(digits.labels == label)[nth])


def wait_for(signal, timeout_ms: int) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def show_inside(window: MainWindow) -> None:
    """The Inside tab with the drawing's evidence, the mouse on a cell of the second convolution."""
    tab = window.inside_tab
    window.tabs.setCurrentWidget(tab)
    for _ in range(10):  # the first look builds the model's graphs: seconds
        if tab.live.strip.map_counts() and tab.is_up_to_date:
            break
        wait_for(tab.inside_shown, 20_000)
    strip = tab.live.strip
    names = list(strip.map_counts())
    x, y = strip.tile_centre(names[min(2, len(names) - 1)], 5, row=6, col=7)
    QTest.mouseMove(strip, QPoint(round(x), round(y)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model to show (default: the bundled one)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--digit", type=int, nargs=2, default=PEN_DIGIT, metavar=("LABEL", "NTH"),
                        help="which pen digit to draw: its label, and which sample of that label (from 0)")
    parser.add_argument("--inside", action="store_true", help="show the Inside tab, hovering a map cell")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(model_path=args.model)
    window.show()
    wait_for(window.state.model_changed, 120_000)
    if window.current_model_path is None:
        print("the model did not load", file=sys.stderr)
        return 1
    canvas = window.draw_tab.canvas
    strokes = place_on_canvas(pen_digit_strokes(*args.digit), DIGIT_SCALE, canvas.width(), canvas.height())
    draw_with_mouse(canvas, strokes)
    while not window.draw_tab.is_up_to_date:
        wait_for(window.draw_tab.prediction_shown, 10_000)
    if args.inside:
        show_inside(window)
    app.processEvents()  # let the last repaints land before the grab
    window.grab().save(str(args.out))
    print(f"wrote {args.out}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
