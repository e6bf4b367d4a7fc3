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

With ``--first-answer`` (a real X server in $DISPLAY, and xdotool) it measures instead what
a person meets: the app is started as the command starts it, and the moment its window
has painted, xdotool draws a 7 of ``STROKE_POINTS`` points on the pad with real X input
events, as fast as a quick hand. Per start:

  first_answer_s   launch -> the bars of that whole drawing shown (goal <= 1.0, aim 0.6)
  points_kept      points of the stroke that reached the drawing (goal: all of them)
  longest_stall_ms the GUI thread's longest gap, from the first paint to 3 s after the
                   answer, less the heartbeat's own 5 ms period (goal <= 50, aim 20)
  idle_rss_mb      the app's resident memory then, idle on the Draw tab (goal <= 300, aim 200)

``--first-answer`` reports the median of each with its min-max over the repeats.
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
# Runs in the child for --first-answer: the app exactly as `mnist-pad` starts it, watched from its
# first paint by a 5 ms heartbeat on the GUI thread (its gaps are the stalls).
ANSWER_PROBE = """
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from mnist_pad.app import main
from mnist_pad.gui.main_window import MainWindow

BEAT_MS, SETTLE_MS = 5, 3000

class Watch(QObject):
    def __init__(self, window):
        super().__init__()
        self.window, self.painted, self.answered, self.longest_stall = window, False, None, 0.0
        self.beat = QTimer(self)
        self.beat.setTimerType(Qt.TimerType.PreciseTimer)
        self.beat.setInterval(BEAT_MS)
        self.beat.timeout.connect(self.tick)

    def eventFilter(self, watched, event):
        if not self.painted and event.type() == QEvent.Type.Paint:
            self.painted = True
            QTimer.singleShot(0, self.report_paint)
        return False

    def report_paint(self):
        canvas = self.window.draw_tab.canvas
        pad = canvas.pad_rect().toRect()
        corner = canvas.mapToGlobal(pad.topLeft())
        print("painted", corner.x(), corner.y(), pad.width(), pad.height(), flush=True)
        self.last_beat = time.perf_counter()
        self.beat.start()

    def tick(self):
        now = time.perf_counter()
        self.longest_stall = max(self.longest_stall, now - self.last_beat - BEAT_MS / 1000)
        self.last_beat = now
        tab, canvas = self.window.draw_tab, self.window.draw_tab.canvas
        drawn = not canvas.is_empty() and not canvas.is_drawing()
        if self.answered is None and drawn and tab.is_up_to_date and tab.probabilities() is not None:
            self.answered = time.time()
            QTimer.singleShot(SETTLE_MS, self.report)

    def report(self):
        rss_pages = int(open("/proc/self/statm").read().split()[1])
        print(json.dumps({
            "answered": self.answered,
            "points_kept": sum(len(stroke) for stroke in self.window.draw_tab.canvas.strokes()),
            "longest_stall_ms": self.longest_stall * 1000,
            "idle_rss_mb": rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20,
            "tensorflow_imported": "tensorflow" in sys.modules,
        }), flush=True)
        os._exit(0)

show = MainWindow.show
def watched_show(window):
    window._watch = Watch(window)
    window.installEventFilter(window._watch)
    show(window)
MainWindow.show = watched_show
main([])
"""
STROKE_POINTS = 30
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


def seven(left: int, top: int, width: int, height: int) -> list[tuple[int, int]]:
    """``STROKE_POINTS`` screen points of a 7 in the middle of the pad: the bar, then the stem."""
    bar, stem = STROKE_POINTS // 3, STROKE_POINTS - STROKE_POINTS // 3
    x0, x1, y0, y1 = left + width * 0.35, left + width * 0.65, top + height * 0.3, top + height * 0.7
    points = [(x0 + (x1 - x0) * i / (bar - 1), y0) for i in range(bar)]
    points += [(x1 - (x1 - x0) * 0.5 * i / stem, y0 + (y1 - y0) * i / stem) for i in range(1, stem + 1)]
    return [(round(x), round(y)) for x, y in points]


def first_answer(env: dict) -> dict:
    """One start of the app with a 7 drawn by real X input events as soon as it paints."""
    started = time.time()
    child = subprocess.Popen(
        [sys.executable, "-c", ANSWER_PROBE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        painted = child.stdout.readline().split()
        if not painted or painted[0] != "painted":
            raise SystemExit("bench_startup: the app did not report its first paint")
        points = seven(*map(int, painted[1:]))
        moves = [arg for x, y in points[1:] for arg in ("mousemove", str(x), str(y), "sleep", "0.01")]
        subprocess.run(
            ["xdotool", "mousemove", *map(str, points[0]), "mousedown", "1", *moves, "mouseup", "1"],
            check=True, env=env, timeout=TIMEOUT_S,
        )
        figures = json.loads(child.stdout.readline())
    finally:
        child.kill()
        child.wait()
    return {**figures, "first_answer_s": figures.pop("answered") - started, "points_sent": len(points)}


def first_answer_figures(env: dict, repeats: int) -> dict:
    first_answer(env)  # warm the file cache, and write the app's bytecode
    runs = [first_answer(env) for _ in range(repeats)]
    result = {"platform": "xcb", "repeats": repeats, "points_sent": runs[0]["points_sent"]}
    for key, digits in (("first_answer_s", 3), ("points_kept", 0), ("longest_stall_ms", 1), ("idle_rss_mb", 0)):
        values = [run[key] for run in runs]
        result[key] = round(statistics.median(values), digits)
        result[f"{key}_min_max"] = [round(min(values), digits), round(max(values), digits)]
    result["tensorflow_imported"] = any(run["tensorflow_imported"] for run in runs)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="starts of each program (default 15)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--first-answer", action="store_true",
                        help="time launch -> the first drawing's bars, drawn with xdotool on $DISPLAY's X server")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.first_answer:
        if not env.get("DISPLAY"):
            raise SystemExit("bench_startup: --first-answer draws with real X input: set DISPLAY to an X server.")
        report(first_answer_figures(env, args.repeats), args.json)
        return 0
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
    report(result, args.json)
    return 0


def report(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    sys.exit(main())
