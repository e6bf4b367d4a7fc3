"""How long ``mnist-pad`` takes to show its window, against a bare PySide6 window.

    python benchmarks/bench_startup.py [--json] [--repeats 15]

Each start is a fresh Python process, timed from just before it is spawned to
the end of its main window's first paint (the first Paint event reaching the
window, then the rest of that repaint and its flush to the screen, which a
zero-delay timer waits out). Two programs are started the same way, alternately:

  app   ``mnist_pad.app.main([])``, exactly what the ``mnist-pad`` command runs
  bare  a QApplication and an empty QMainWindow of the same size

Each program watches only its own main window for that Paint event. (An event filter on
the whole application, as this benchmark first used, makes PySide wrap every object that
gets an event in Python, building the Python types and enums of each class involved:
about 50 ms added to both programs, which made the ratio look lower than it is.) The first,
untimed start of each warms the file cache and writes the project's bytecode, which an
installed package has: ``PYTHONDONTWRITEBYTECODE`` is dropped for the children.

``first_paint_ms`` and ``bare_first_paint_ms`` are medians over the repeats, with
their min-max; ``first_paint_ratio`` is app / bare. The bare window is what Python and
Qt cost on this machine, so the ratio is what the app adds before its first paint.
Goal: <= 1.5 (aim 1.2). Uses $DISPLAY when set, else Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# Runs in the child. The hook is the same for both programs, so it costs both alike.
PROBE = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    seen = False
    def eventFilter(self, watched, event):
        if not self.seen and event.type() == QEvent.Type.Paint:
            self.seen = True
            QTimer.singleShot(0, self.report)  # after the whole repaint and its flush
        return False
    def report(self):
        print(time.time(), flush=True)
        os._exit(0)  # the app's model loader may be importing TensorFlow: no need to wait for it

app = QApplication(sys.argv[:1])
first_paint = FirstPaint()
if sys.argv[1] == "app":
    from mnist_pad.app import main
    from mnist_pad.gui.main_window import MainWindow

    show = MainWindow.show
    def watched_show(window):
        window.installEventFilter(first_paint)
        show(window)
    MainWindow.show = watched_show
    main([])
else:
    window = QMainWindow()
    window.resize(940, 640)
    window.installEventFilter(first_paint)
    window.show()
    app.exec()
"""
PROGRAMS = ("app", "bare")
TIMEOUT_S = 120


def first_paint_ms(program: str, env: dict) -> float:
    started = time.time()
    finished = subprocess.run(
        [sys.executable, "-c", PROBE, program], capture_output=True, text=True, env=env, timeout=TIMEOUT_S
    )
    if finished.returncode != 0 or not finished.stdout.strip():
        raise SystemExit(f"bench_startup: the {program} start failed: {finished.stderr.strip()[-500:]}")
    return (float(finished.stdout.split()[-1]) - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="starts of each program (default 15)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    times = {program: [] for program in PROGRAMS}
    first_paint_ms("app", env)  # warm the file cache for both, and write the app's bytecode
    first_paint_ms("bare", env)
    for repeat in range(args.repeats):
        order = PROGRAMS if repeat % 2 == 0 else PROGRAMS[::-1]  # neither always goes first
        for program in order:
            times[program].append(first_paint_ms(program, env))

    app, bare = statistics.median(times["app"]), statistics.median(times["bare"])
    result = {
        "platform": env.get("QT_QPA_PLATFORM") or "xcb",
        "repeats": args.repeats,
        "first_paint_ms": round(app, 1),
        "first_paint_ms_min_max": [round(min(times["app"]), 1), round(max(times["app"]), 1)],
        "bare_first_paint_ms": round(bare, 1),
        "bare_first_paint_ms_min_max": [round(min(times["bare"]), 1), round(max(times["bare"]), 1)],
        "first_paint_ratio": round(app / bare, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
