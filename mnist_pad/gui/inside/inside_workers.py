"""Background work of the Inside tab: looking inside the newest drawing, and evaluating a data set.

Both speak to the GUI only through signals; TensorFlow is imported on these threads.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QThread, Signal

from mnist_pad.errors import first_line
from mnist_pad.gui.workers import NewestRequestWorker


@dataclass(frozen=True)
class InspectionRequest:
    request_id: int
    model: object  # mnist_pad.model_io.LoadedModel; carried so a model swap is race-free
    strokes: list
    min_extent: float
    versus: int | None  # mnist_pad.inspection.RUNNER_UP, a digit, or None
    smooth: bool  # SmoothGrad (the pen is up) rather than the plain gradient


class InspectionWorker(NewestRequestWorker):
    """Layer outputs and evidence maps of the newest drawing; the Inspector is built once per model."""

    described = Signal(
        object, object, object
    )  # LoadedModel, its shown [LayerView], first-layer kernels or None
    inspected = Signal(int, object)  # request id, mnist_pad.inspection.Inside or None for an empty pad
    FAILURE = "Looking inside the network failed"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._inspector = None
        self._inspected_model = None  # the LoadedModel the inspector was built for
        self._refused: tuple[object, Exception] | None = None  # a model that cannot be inspected, and why

    def handle(self, request: InspectionRequest) -> None:
        from mnist_pad.inspection import Inspector
        from mnist_pad.preprocess import strokes_to_image

        if self._inspector is None or self._inspected_model is not request.model:
            if self._refused is not None and self._refused[0] is request.model:
                raise self._refused[1]  # fail each drawing at once, not by building it again
            self._inspector, self._inspected_model = None, request.model
            try:
                self._inspector = Inspector(request.model.model)  # Keras loads here, on this thread, once
            except Exception as error:
                self._refused = (request.model, error)
                raise
            self.described.emit(request.model, self._inspector.layers, self._inspector.kernels())
        image = strokes_to_image(request.strokes, min_extent=request.min_extent) if request.strokes else None
        inside = None if image is None else self._inspector.inspect(image, request.versus, request.smooth)
        self.inspected.emit(request.request_id, inside)


class EvaluationCancelled(Exception):
    pass


class EvaluationWorker(QThread):
    """Loads one data set (a ``mistakes.EvaluationSet``) and predicts all of it, reporting progress.

    ``key`` says which model and data version the result belongs to, for the cache.
    """

    progressed = Signal(int, int)  # images done, total (0, 0 while loading)
    evaluated = Signal(object)  # mnist_pad.inspection.Predictions
    failed = Signal(str)  # one sentence

    def __init__(self, predictor, source, key, parent=None):
        super().__init__(parent)
        self._predictor, self.source, self.key = predictor, source, key
        self._cancelled = False

    def cancel(self) -> None:
        """Stop after the current chunk of images; nothing is emitted."""
        self._cancelled = True

    def run(self):
        from mnist_pad.inspection import predict_all

        try:
            self.progressed.emit(0, 0)
            data = self.source.load()
            predictions = predict_all(self._predictor.predict_batch, data, self._progress)
        except EvaluationCancelled:
            return
        except Exception as error:
            ours = type(error).__module__.split(".")[0] in ("mnist_pad", "training")
            # The project's own errors already are one sentence naming the file.
            self.failed.emit(str(error) if ours else f"The evaluation failed ({first_line(error)}).")
            return
        self.evaluated.emit(predictions)

    def _progress(self, done: int, total: int) -> None:
        if self._cancelled:
            raise EvaluationCancelled
        self.progressed.emit(done, total)
