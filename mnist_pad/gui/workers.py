"""Background threads: loading a model, and predicting the newest drawing.

Both speak to the GUI only through signals, which Qt delivers on the GUI thread.
The live path runs on ONNX Runtime (``mnist_pad.runtime``), imported here on the
loader's thread; TensorFlow is imported in this process only for a model that the
runtime cannot take.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QMutex, QMutexLocker, QThread, QWaitCondition, Signal

from mnist_pad.errors import first_line


class ModelLoader(QThread):
    """Checks one model file and opens its runtime predictor, off the GUI thread.

    A model opened for the first time has no runtime file yet: a child process makes
    it (it imports TensorFlow, so that this one need not). A model that the runtime
    cannot take still serves, through Keras, and ``loaded`` says so in its note.
    """

    loaded = Signal(object, object, str)  # LoadedModel, predictor, a note for the status bar or ""
    failed = Signal(str)  # one sentence naming the file

    def __init__(self, path: str | Path, parent=None):
        super().__init__(parent)
        self.path = Path(path)

    def run(self):
        # Here, not at the top: the window imports this module before its first paint,
        # which model_io's own imports (json, zipfile, hashlib) would delay.
        from mnist_pad.model_io import ModelLoadError, open_model_file
        from training.runtime_export import make_runtime_file_in_child, runtime_or_keras

        try:
            model = open_model_file(self.path)
            predictor, note = runtime_or_keras(model, make_runtime_file_in_child)
        except ModelLoadError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a model that loads but cannot run: still one sentence
            self.failed.emit(f"{self.path}: the model could not be run ({first_line(error)}).")
        else:
            self.loaded.emit(model, predictor, note)


class ModuleImporter(QThread):
    """Imports modules off the GUI thread, so that the GUI thread finds them imported.

    The import still takes the interpreter's lock in turns, mostly in slices of a few
    milliseconds (the switch interval) rather than in one stall of a second; a module
    whose import holds it longer does not belong here (pyqtgraph: see TrainTab.curves).
    """

    def __init__(self, modules: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.modules = modules

    def run(self):
        import importlib

        for module in self.modules:
            importlib.import_module(module)


class PredictionRequest(NamedTuple):  # not a dataclass: importing dataclasses would delay the first paint
    request_id: int
    predictor: object  # a mnist_pad.runtime.BatchPredictor; carried so a model swap is race-free
    strokes: list
    min_extent: float
    rule: object = None  # the model's mnist_pad.digit_rule.DigitRule, for reading a number
    read_number: bool = False  # a stroke has ended: read the drawing as a number too


class NewestRequestWorker(QThread):
    """One thread that always works on the newest request; older ones are dropped.

    ``submit`` overwrites a single pending slot, so however fast someone draws,
    at most one request runs and one waits. Subclasses say what to do with a
    request in ``handle``, which emits its own result signal; an exception
    becomes ``failed`` with one sentence and the thread waits for the next.
    """

    failed = Signal(int, str)  # request id, sentence
    FAILURE = "The computation failed"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._mutex = QMutex()
        self._wake = QWaitCondition()
        self._pending = None  # a request with a ``request_id``
        self._stopping = False

    def submit(self, request) -> None:
        with QMutexLocker(self._mutex):
            self._pending = request
            self._wake.wakeOne()
        if not self.isRunning():
            self.start()

    def stop(self) -> None:
        """Finish the request in progress, drop the pending one, and end the thread."""
        with QMutexLocker(self._mutex):
            self._stopping = True
            self._pending = None
            self._wake.wakeOne()
        self.wait()

    def handle(self, request) -> None:
        raise NotImplementedError

    def run(self):
        while True:
            with QMutexLocker(self._mutex):
                while self._pending is None and not self._stopping:
                    self._wake.wait(self._mutex)
                if self._stopping:
                    return
                request, self._pending = self._pending, None
            try:
                self.handle(request)
            except Exception as error:  # keep the thread alive for the next drawing
                self.failed.emit(request.request_id, f"{self.FAILURE} ({first_line(error)}).")


class PredictionWorker(NewestRequestWorker):
    """Predicts the newest drawing as one digit, and, once a stroke has ended, reads it as a number."""

    predicted = Signal(int, object, object, object)  # request id, (28, 28) image or None, (10,) probs or None,
    # mnist_pad.number_reader.NumberReading or None
    FAILURE = "Prediction failed"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._reader = None  # a NumberReader, kept while the model is: it remembers what it has read

    def handle(self, request: PredictionRequest) -> None:
        from mnist_pad.runtime import predict_strokes

        result = predict_strokes(request.predictor, request.strokes, request.min_extent)
        image, probs = result if result is not None else (None, None)
        reading = None
        if request.read_number and result is not None:
            reading = self._reader_for(request.predictor, request.rule).read(request.strokes, request.min_extent)
        self.predicted.emit(request.request_id, image, probs, reading)

    def _reader_for(self, predictor, rule):
        from mnist_pad.number_reader import NumberReader

        if self._reader is None or self._reader.predictor is not predictor or self._reader.rule != rule:
            self._reader = NumberReader(predictor, rule)
        return self._reader
