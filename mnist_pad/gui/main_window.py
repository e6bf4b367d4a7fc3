"""The main window: Draw, Inside and Train tabs, opening models (menu, drag and drop), status bar."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from mnist_pad.gui.digit_collection import DigitCollection
from mnist_pad.gui.draw_tab import DrawTab
from mnist_pad.gui.inside_tab import InsideTab
from mnist_pad.gui.my_digits_view import MyDigitsView
from mnist_pad.gui.train_tab import TrainTab
from mnist_pad.gui.threads import keep_until_finished
from mnist_pad.gui.workers import ModelLoader
from mnist_pad.model_io import MODEL_SUFFIXES, default_model_path
from mnist_pad.my_digits import DigitStore, default_store_path

APP_NAME = "mnist-pad"
MODEL_FILTER = "Keras models (*.h5 *.keras)"
NO_MODEL = "No model loaded: open one with File ▸ Open model… (Ctrl+O)"
DEFAULT_SIZE = QSize(940, 640)  # every tab fits it, so the window never grows off a small screen


def app_icon() -> QIcon:
    return QIcon(str(resources.files("mnist_pad.resources") / "icon.svg"))


def read_my_digits():
    """The store's digits as pen digits, for the Inside tab's worker thread (a connection of its own)."""
    store = DigitStore(default_store_path())
    try:
        return store.to_pen_digits()
    finally:
        store.close()


class MainWindow(QMainWindow):
    model_changed = Signal(str)  # path of the model that now serves predictions

    def __init__(self, model_path: str | None = None, data_path: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.resize(DEFAULT_SIZE)
        self.setAcceptDrops(True)

        self.current_model_path: str | None = None
        self._current_model_status = NO_MODEL
        self._latest_loader: ModelLoader | None = None
        self._loaders: set[ModelLoader] = set()  # running; waited for on close

        self.draw_tab = DrawTab(self)
        self.train_tab = TrainTab(data_path=data_path, parent=self)
        self.train_tab.use_model_requested.connect(self.open_model)
        self.inside_tab = InsideTab(self.draw_tab, lambda: self.train_tab.data_path, parent=self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.my_digits = DigitCollection(default_store_path(), self)
        self.my_digits.failed.connect(lambda sentence: self.show_error(sentence))  # looked up when it fails
        self.draw_tab.set_collection(self.my_digits)
        self.my_digits_view = MyDigitsView(self.my_digits, self)
        self.inside_tab.add_pen_digits_source("My digits", read_my_digits)
        self.inside_tab.pad_requested.connect(lambda: self.tabs.setCurrentWidget(self.draw_tab))
        self.tabs.addTab(self.draw_tab, "Draw")
        self.tabs.addTab(self.my_digits_view, "My digits")
        self.tabs.addTab(self.inside_tab, "Inside")
        self.tabs.addTab(self.train_tab, "Train")
        self.setCentralWidget(self.tabs)

        self.model_status = QLabel(self)
        self.model_status.setContentsMargins(8, 2, 8, 2)
        self.statusBar().addWidget(self.model_status, 1)
        self._build_menu()

        # Loading starts once the event loop runs, so the window shows first.
        self._initial_model = str(model_path) if model_path else str(default_model_path())
        self.model_status.setText(loading_text(self._initial_model))
        QTimer.singleShot(0, self._open_initial_model)
        QTimer.singleShot(0, self.my_digits.open)  # a store that cannot be used is said at once

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction("&Open model…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_model)
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

    # -- models -------------------------------------------------------------------

    @Slot()
    def _open_initial_model(self) -> None:
        self.open_model(self._initial_model)

    def choose_model(self) -> None:
        start = str(Path(self.current_model_path).parent) if self.current_model_path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open model", start, MODEL_FILTER)
        if path:
            self.open_model(path)

    def open_model(self, path: str) -> None:
        """Load ``path`` in the background; the current model serves until it is ready."""
        loader = ModelLoader(path)  # no parent: see mnist_pad.gui.threads
        keep_until_finished(loader)
        self._latest_loader = loader
        self._loaders.add(loader)
        # Bound slots of this window, so that Qt queues them onto the GUI thread.
        loader.loaded.connect(self._model_loaded)
        loader.failed.connect(self._model_failed)
        loader.finished.connect(self._loader_finished)
        self.model_status.setText(loading_text(path))
        loader.start()

    @Slot(object, object)
    def _model_loaded(self, model, predictor) -> None:
        if self.sender() is not self._latest_loader:
            return  # the user has asked for another model since
        self.draw_tab.set_predictor(predictor)
        self.inside_tab.set_model(model, predictor)
        self.current_model_path = str(model.path)
        self._current_model_status = model_status_text(model.path.name, model.test_accuracy)
        self.model_status.setText(self._current_model_status)
        self.model_changed.emit(self.current_model_path)

    @Slot(str)
    def _model_failed(self, sentence: str) -> None:
        if self.sender() is self._latest_loader:
            self.model_status.setText(self._current_model_status)
            if self.current_model_path is None:
                self.draw_tab.set_idle_message("No model loaded")
        self.show_error(sentence)

    @Slot()
    def _loader_finished(self) -> None:
        self._loaders.discard(self.sender())

    def show_error(self, text: str) -> None:
        """One sentence in a modal box; tests replace this to read the text."""
        QMessageBox.warning(self, APP_NAME, text)

    # -- drag and drop ------------------------------------------------------------

    def dragEnterEvent(self, event):
        if dropped_model_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        path = dropped_model_path(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_model(path)

    # -- closing ------------------------------------------------------------------

    def closeEvent(self, event):
        self.hide()  # stopping training or a model load can take a moment; do it out of sight
        self.train_tab.shutdown()
        self.draw_tab.shutdown()
        self.inside_tab.shutdown()
        self.my_digits.close()
        for loader in list(self._loaders):
            loader.wait()
        event.accept()


def loading_text(path: str) -> str:
    return f"Loading model {Path(path).name}…"


def model_status_text(file_name: str, test_accuracy: float | None) -> str:
    if test_accuracy is None:
        return file_name
    return f"{file_name} · MNIST test accuracy {test_accuracy * 100:.2f}%"


def dropped_model_path(mime) -> str | None:
    """The one local .h5/.keras file being dropped, else None."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if Path(path).suffix.lower() in MODEL_SUFFIXES else None
