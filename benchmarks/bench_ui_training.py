"""Does the GUI thread stay responsive while the Train tab trains?

Builds the real MainWindow offscreen (the Draw tab loads its model as usual),
switches to the Train tab, and runs a real short training from it on
$MNIST_PAD_DATA. Meanwhile a 10 ms QTimer ticks on the GUI thread and records
when each tick actually ran.

    gap   = time between two consecutive ticks
    stall = gap - 10 ms (the period), floored at 0: how long the GUI thread
            could not run an event that was due. A stall of 100 ms is a
            tenth of a second during which a click or a repaint would wait.

Printed: max and 99th-percentile stall over the whole training (from the
click on Start to the worker thread's end), the CPU time the GUI thread itself
used meanwhile (what the tab's own updates cost, independent of other load),
and the run's conditions (CPU count, load average, batches, seconds). Goal on a 2-core machine:
max <= 100 ms, p99 <= 30 ms.

    MNIST_PAD_DATA=/path/mnist.npz python benchmarks/bench_ui_training.py [--json]
        [--epochs 1] [--train-samples 10000] [--batch-size 200] [--tab-only]

Settings and model files go to a temporary directory (XDG paths are
redirected), never to the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench_common import HEARTBEAT_MS, stall_figures


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-samples", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--tab-only", action="store_true", help="the Train tab alone, not the MainWindow")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    data = os.environ.get("MNIST_PAD_DATA")
    if not data or not Path(data).exists():
        print("bench_ui_training: set MNIST_PAD_DATA to an MNIST .npz.", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="bench_ui_training-"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")
    os.environ["XDG_DATA_HOME"] = str(scratch / "data")

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("mnist-pad")
    if args.tab_only:
        from mnist_pad.gui.train.train_tab import TrainTab

        window = tab = TrainTab(data_path=data)
    else:
        from mnist_pad.gui.main_window import MainWindow

        window = MainWindow(data_path=data)
        tab = window.train_tab
        window.tabs.setCurrentWidget(tab)
        window.show_error = lambda text: print(f"bench_ui_training: {text}", file=sys.stderr)
    window.resize(1000, 660)
    window.show()
    errors: list[str] = []
    tab.show_error = errors.append
    tab.form.samples_spin.setValue(args.train_samples)
    tab.form.epochs_spin.setValue(args.epochs)
    tab.form.batch_spin.setValue(args.batch_size)
    tab.form.augment_check.setChecked(False)
    tab.form.output_edit.setText(str(scratch / "models" / "bench.h5"))

    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    batches = []
    tab.batch_progressed.connect(batches.append)
    clock = QElapsedTimer()
    gui_cpu = []  # GUI thread CPU seconds at start and end

    def begin():
        gui_cpu.append(time.thread_time())
        clock.start()
        heartbeat.start()
        tab.start_button.click()

    def end(running: bool):
        if not running:
            gui_cpu.append(time.thread_time())
            heartbeat.stop()
            app.quit()

    tab.running_changed.connect(end)
    # Start once the Draw tab's model has loaded (or failed), as a person would.
    if args.tab_only:
        QTimer.singleShot(0, begin)
    else:
        window.state.model_changed.connect(lambda _path: QTimer.singleShot(0, begin))
        QTimer.singleShot(60_000, lambda: None if clock.isValid() else begin())
    app.exec()

    if errors or tab.last_result is None:
        print(f"bench_ui_training: training did not finish: {errors}", file=sys.stderr)
        return 1
    figures = stall_figures(ticks)
    figures.update(
        window="TrainTab" if args.tab_only else "MainWindow",
        epochs=args.epochs,
        train_samples=args.train_samples,
        batch_size=args.batch_size,
        batches=len(batches),
        training_s=round(clock.elapsed() / 1000.0, 1),
        gui_thread_cpu_s=round(gui_cpu[1] - gui_cpu[0], 2),
        cpus=os.cpu_count(),
        load_avg_1min=round(os.getloadavg()[0], 2),
    )
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
