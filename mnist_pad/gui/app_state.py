"""What the tabs share, held in one place that they observe instead of reaching into each other.

The window owns one ``AppState``. It holds the model that serves predictions (with
its card and predictor), the data sources a training or adaptation uses (MNIST's
path and the chosen pen-digit files), the user's store of digits, and the drawing
that the Draw and Inside tabs both show. Whoever
changes one of them calls its setter; whoever shows one listens to its signal.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from mnist_pad.gui.drawing import Drawing


class AppState(QObject):
    model_changed = Signal(str)  # the path of the model that now serves predictions
    data_path_changed = Signal(object)  # MNIST's path for load_mnist, or None for its default
    pen_files_changed = Signal(list)  # the pen-digit files chosen beside MNIST

    def __init__(self, data_path: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.model = None  # mnist_pad.model_io.LoadedModel: the file, its card (model.card), the network
        self.predictor = None  # mnist_pad.predictor.Predictor on that model
        self.data_path: str | None = data_path
        self.pen_files: list[str] = []
        self.store = None  # mnist_pad.gui.my_digits.digit_collection.DigitCollection, once opened
        self.drawing = Drawing(self)  # the strokes and their undo history (signal: drawing.changed)

    @property
    def model_path(self) -> str | None:
        return None if self.model is None else str(self.model.path)

    def digit_rule(self):
        """The model's not-a-digit rule (``mnist_pad.digit_rule.DigitRule``): its card's, else the default."""
        from mnist_pad.digit_rule import DigitRule  # numpy: not before the first paint

        return DigitRule.for_card(None if self.model is None else self.model.card)

    def set_model(self, model, predictor) -> None:
        self.model, self.predictor = model, predictor
        self.model_changed.emit(str(model.path))

    def set_data_path(self, path: str | None) -> None:
        if path != self.data_path:
            self.data_path = path
            self.data_path_changed.emit(path)

    def set_pen_files(self, paths: list[str]) -> None:
        if list(paths) != self.pen_files:
            self.pen_files = list(paths)
            self.pen_files_changed.emit(self.pen_files)
