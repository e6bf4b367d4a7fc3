"""The main window: Draw, My digits, Inside and Train tabs, opening models (menu, drag and drop), status bar.

The window paints first and does the rest after: only the Draw tab is built
before its first paint. The other tabs (pyqtgraph alone takes longer to import
than Python and Qt take to start), the job runner, the icon, the store of the
user's digits and the model load wait for the end of that paint, and so do the
modules they import (model_io's json, zipfile and hashlib; training.job's dataclasses).

The window owns what the tabs share: the ``AppState`` they observe and the one
``JobRunner`` of child-process jobs. It wires tabs to them; no tab reaches into another.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QSize, QTimer, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from mnist_pad.gui.app_state import AppState
from mnist_pad.gui.dialogs import APP_NAME, show_error
from mnist_pad.gui.draw.draw_tab import DrawTab
from mnist_pad.gui.status_message import show_status_message
from mnist_pad.gui.threads import keep_until_finished
from mnist_pad.gui.workers import ModelLoader, ModuleImporter
from mnist_pad.load_order import NewestSuccessWins

# Imported when built, after the first paint: numpy, pyqtgraph and the store are slow to import.
if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from mnist_pad.gui.inside.inside_tab import InsideTab
    from mnist_pad.gui.jobs import JobRunner
    from mnist_pad.gui.my_digits.adaptation import Adaptation
    from mnist_pad.gui.my_digits.digit_collection import DigitCollection
    from mnist_pad.gui.my_digits.my_digits_view import MyDigitsView
    from mnist_pad.gui.train.train_tab import TrainTab

# What the store and the tabs built after the first paint import, on a thread (pyqtgraph waits for the
# Train tab's first showing: see TrainTab.curves).
AFTER_FIRST_LOAD_MODULES = (
    "mnist_pad.gui.my_digits.digit_collection",
    "mnist_pad.gui.my_digits.my_digits_view",
    "mnist_pad.gui.my_digits.adaptation",
    "mnist_pad.gui.inside.inside_tab",
    "mnist_pad.gui.train.train_tab",
    "mnist_pad.gui.jobs",
)
MODEL_FILTER = "Keras models (*.h5 *.keras)"
EXPORT_FILTER = "Keras 3 models (*.keras)"
EXPORTED_MESSAGE_MS = 8000
NO_MODEL = "No model loaded: open one with File ▸ Open model… (Ctrl+O)"
DEFAULT_SIZE = QSize(940, 640)  # every tab fits it, so the window never grows off a small screen
STATUS_MESSAGE_MS = 15_000


def app_icon() -> QIcon:
    from importlib import resources

    from PySide6.QtGui import QIcon  # its ThemeIcon enum alone takes 3 ms to build

    return QIcon(str(resources.files("mnist_pad.resources") / "icon.svg"))


class MainWindow(QMainWindow):
    def __init__(
        self, model_path: str | None = None, data_path: str | None = None, parent=None, my_digits=None
    ):
        """``my_digits``: a callable returning the user's saved digits as PenDigits in pad units
        (default: the store's)."""
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.resize(DEFAULT_SIZE)
        self.setAcceptDrops(True)

        self.state = AppState(data_path, self)
        self._current_model_status = NO_MODEL
        self._load_order: NewestSuccessWins[str, tuple] = NewestSuccessWins()
        self._loaders: set[ModelLoader] = set()  # running; waited for on close

        self.draw_tab = DrawTab(self, self.state.drawing)
        self.state.model_changed.connect(
            lambda _path: self.draw_tab.set_predictor(self.state.predictor, self.state.digit_rule())
        )
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.draw_tab, "Draw")
        # The other tabs need numpy, pyqtgraph or the store: each is built after the
        # first paint (see _finish_start_up), or at once when chosen before that.
        self._tab_builders: dict[QWidget, tuple[str, Callable[[], QWidget]]] = {}
        self._built: dict[str, QObject] = {}  # by title, or "runner", "adaptation"
        for title, build in (
            ("My digits", self._new_my_digits_view),
            ("Inside", self._new_inside_tab),
            ("Train", self._new_train_tab),
        ):
            placeholder = QWidget()
            self._tab_builders[placeholder] = (title, build)
            self.tabs.addTab(placeholder, title)
        self.tabs.currentChanged.connect(self._tab_chosen)
        self.setCentralWidget(self.tabs)

        self.model_status = QLabel(self)
        self.model_status.setContentsMargins(8, 2, 8, 2)
        self.statusBar().addWidget(self.model_status, 1)
        self._my_digits_source = my_digits
        self._build_menu()

        self._initial_model = str(model_path) if model_path else None  # None: the bundled one
        self.model_status.setText(loading_text(self._initial_model))
        self._painted = False
        self._importer_started = False
        self._closed = False  # start-up work still queued then has nothing to do

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._finish_start_up)  # once this repaint is on screen

    @Slot()
    def _finish_start_up(self) -> None:
        """After the first paint: the model first; the rest once it serves, in turns short enough to draw between.

        The pad takes strokes from the first paint on. Nothing here may hold the GUI thread
        for long, or a stroke drawn meanwhile would wait: so the store's and the other tabs'
        modules are imported on a thread (after the model's load, which they would slow),
        and the tabs are then built one per turn of the event loop.
        """
        from mnist_pad.model_io import default_model_path

        self.open_model(self._initial_model or str(default_model_path()))

    def _import_the_rest(self) -> None:
        """Once, when the first model load has settled: import what the rest of the window needs."""
        if self._importer_started:
            return
        self._importer_started = True
        importer = ModuleImporter(AFTER_FIRST_LOAD_MODULES)  # no parent: see mnist_pad.gui.threads
        keep_until_finished(importer)
        importer.finished.connect(self._open_store_and_icon)
        importer.start()

    @Slot()
    def _open_store_and_icon(self) -> None:
        if self._closed:
            return
        self.my_digits.open()  # a store that cannot be used is said at once
        icon = app_icon()
        QApplication.setWindowIcon(icon)  # the dialogs' too
        self.setWindowIcon(icon)
        QTimer.singleShot(0, self, self._build_next_tab)  # with the window as context: dropped if it is deleted

    @Slot()
    def _build_next_tab(self) -> None:
        """Build one waiting tab now (so that it opens at once when clicked), the next one next turn."""
        if self._closed:
            return
        if self._tab_builders:
            self._build_tab(next(iter(self._tab_builders)))
            QTimer.singleShot(0, self, self._build_next_tab)
        else:
            self.adaptation.refresh()

    # -- built after the first paint ---------------------------------------------

    @property
    def runner(self) -> JobRunner:
        """The one runner of child-process jobs, shared by the Train tab and adaptation."""
        if "runner" not in self._built:
            from mnist_pad.gui.jobs import JobRunner

            self._built["runner"] = JobRunner(self)
        return self._built["runner"]

    @property
    def my_digits(self) -> DigitCollection:
        """The user's saved digits, shared by the Draw, My digits and Inside tabs."""
        if self.state.store is None:
            from mnist_pad.gui.my_digits.digit_collection import DigitCollection
            from mnist_pad.my_digits import default_store_path

            collection = DigitCollection(default_store_path(), self)
            collection.failed.connect(lambda sentence: self.show_error(sentence))  # looked up when it fails
            self.draw_tab.set_collection(collection)
            self.state.store = collection
        return self.state.store

    @property
    def adaptation(self) -> Adaptation:
        """File ▸ Adapt to my handwriting / Back to the previous model."""
        if "adaptation" not in self._built:
            from mnist_pad.gui.my_digits.adaptation import Adaptation

            adaptation = Adaptation(self.state, self.runner, self._my_digits_source or self.my_digits.pen_digits, self)
            adaptation.refused.connect(self.show_error)
            adaptation.job_starting.connect(lambda: self.tabs.setCurrentWidget(self.train_tab))
            adaptation.model_requested.connect(self.open_model)
            adaptation.adapted.connect(self._adapted)
            self.my_digits.changed.connect(adaptation.refresh)
            for action in (adaptation.back_action, None, adaptation.adapt_action):
                if action is None:
                    self.file_menu.insertSeparator(self._quit_separator)
                else:
                    self.file_menu.insertAction(self._quit_separator, action)
            self.file_menu.aboutToShow.connect(adaptation.refresh)  # the digits may have changed since
            self._built["adaptation"] = adaptation
        return self._built["adaptation"]

    @property
    def my_digits_view(self) -> MyDigitsView:
        return self._tab("My digits")

    @property
    def inside_tab(self) -> InsideTab:
        return self._tab("Inside")

    @property
    def train_tab(self) -> TrainTab:
        return self._tab("Train")

    def _new_my_digits_view(self) -> QWidget:
        from mnist_pad.gui.my_digits.my_digits_view import MyDigitsView

        return MyDigitsView(self.my_digits, self)

    def _new_inside_tab(self) -> QWidget:
        from mnist_pad.gui.inside.inside_tab import InsideTab
        from mnist_pad.my_digits import read_stored_pen_digits

        inside = InsideTab(self.state.drawing, lambda: self.state.data_path, parent=self)
        if self.state.model is not None:
            inside.set_model(self.state.model, self.state.predictor)
        self.state.model_changed.connect(lambda _path: inside.set_model(self.state.model, self.state.predictor))
        inside.add_pen_digits_source("My digits", read_stored_pen_digits)
        inside.pad_requested.connect(lambda: self.tabs.setCurrentWidget(self.draw_tab))
        inside.set_focus(*self.draw_tab.focused_digit())  # a digit of a number clicked: look inside it
        self.draw_tab.digit_focused.connect(inside.set_focus)
        return inside

    def _new_train_tab(self) -> QWidget:
        from mnist_pad.gui.train.train_tab import TrainTab

        train = TrainTab(data_path=self.state.data_path, parent=self, runner=self.runner)
        train.use_model_requested.connect(self.open_model)
        train.set_model_in_use(self.state.model_path)
        self.state.model_changed.connect(train.set_model_in_use)
        form = train.form
        self.state.set_data_path(form.data_path)
        self.state.set_pen_files(form.pen_files.paths())
        form.data_path_changed.connect(self.state.set_data_path)
        form.pen_files.changed.connect(lambda: self.state.set_pen_files(form.pen_files.paths()))
        return train

    def _tab(self, title: str) -> QWidget:
        if title not in self._built:
            self._build_tab(next(p for p, (name, _) in self._tab_builders.items() if name == title))
        return self._built[title]

    def _build_tab(self, placeholder: QWidget) -> None:
        """Put the tab in its placeholder's place, once."""
        if placeholder not in self._tab_builders:
            return
        title, build = self._tab_builders.pop(placeholder)
        self._built[title] = tab = build()
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # a page swap, not a choice of the user's
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, tab, title)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()

    @Slot(int)
    def _tab_chosen(self, index: int) -> None:
        self._build_tab(self.tabs.widget(index))  # chosen before start-up built it

    def _build_menu(self) -> None:
        self.file_menu = file_menu = self.menuBar().addMenu("&File")
        # addAction(text), not QAction(text, parent): resolving that constructor's overloads builds
        # QIcon and its 151-member enum, 2-3 ms before the first paint.
        self.open_action = file_menu.addAction("&Open model…")
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_model)
        self.export_action = file_menu.addAction("&Export model…")
        self.export_action.setEnabled(False)  # until a model serves
        self.export_action.triggered.connect(self.choose_export_path)
        file_menu.addSeparator()  # the adaptation's actions get a group of their own (Qt collapses empty ones)
        self._quit_separator = file_menu.addSeparator()  # the adaptation's actions go above it
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)

    # -- models -------------------------------------------------------------------

    @property
    def current_model_path(self) -> str | None:
        return self.state.model_path

    @Slot(str)
    def _adapted(self, sentence: str) -> None:
        self.tabs.setCurrentWidget(self.draw_tab)
        show_status_message(self.statusBar(), sentence, STATUS_MESSAGE_MS)

    def choose_model(self) -> None:
        # Here, not at the top: its enums take 3 ms to build, which the first paint need not wait for.
        from PySide6.QtWidgets import QFileDialog

        start = str(Path(self.current_model_path).parent) if self.current_model_path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open model", start, MODEL_FILTER)
        if path:
            self.open_model(path)

    def choose_export_path(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        suggested = Path.home() / Path(self.current_model_path).with_suffix(".keras").name
        path, _ = QFileDialog.getSaveFileName(self, "Export model", str(suggested), EXPORT_FILTER)
        if path:
            self.export_model(Path(path))

    def export_model(self, path: Path) -> None:
        """The model in use as ``.keras`` with its card beside it; the current model stays either way."""
        from mnist_pad.errors import PlainError
        from mnist_pad.model_export import export_model

        try:
            written = export_model(self.state.model, path)
        except PlainError as error:
            self.show_error(str(error))
        else:
            show_status_message(self.statusBar(), f"Exported {written}", EXPORTED_MESSAGE_MS)

    def open_model(self, path: str) -> None:
        """Load ``path`` in the background; the current model serves until it is ready."""
        loader = ModelLoader(path)  # no parent: see mnist_pad.gui.threads
        keep_until_finished(loader)
        self._load_order.request(loader, path)
        self._loaders.add(loader)
        # Bound slots of this window, so that Qt queues them onto the GUI thread.
        loader.loaded.connect(self._model_loaded)
        loader.failed.connect(self._model_failed)
        loader.finished.connect(self._loader_finished)
        self.model_status.setText(loading_text(path))
        loader.start()

    @Slot(object, object, str)
    def _model_loaded(self, model, predictor, note: str) -> None:
        self._use_model(self._load_order.succeeded(self.sender(), (model, predictor, note)))

    @Slot(str)
    def _model_failed(self, sentence: str) -> None:
        self._use_model(self._load_order.failed(self.sender()))
        self.show_error(sentence)

    def _use_model(self, loaded: tuple | None) -> None:
        """Serve ``loaded`` (model, predictor, note) when the load order says so; keep the status bar true."""
        if loaded is not None:
            model, predictor, note = loaded
            self.export_action.setEnabled(True)
            self._current_model_status = model_status_text(model.path.name, model.test_accuracy)
            self.state.set_model(model, predictor)
            if note:  # e.g. it runs through Keras: said once, when it starts serving
                show_status_message(self.statusBar(), note, STATUS_MESSAGE_MS)
        waiting_for = self._load_order.newest_pending()
        self.model_status.setText(loading_text(waiting_for) if waiting_for else self._current_model_status)
        if waiting_for is None and self.current_model_path is None:
            self.draw_tab.set_idle_message("No model loaded")
        self._import_the_rest()

    @Slot()
    def _loader_finished(self) -> None:
        self._loaders.discard(self.sender())

    def show_error(self, text: str) -> None:
        """One sentence in a modal box; tests replace this to read the text."""
        show_error(self, text)

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
        self._closed = True
        self.hide()  # stopping training or a model load can take a moment; do it out of sight
        if "runner" in self._built:
            self.runner.shutdown()
        if "Inside" in self._built:
            self._built["Inside"].shutdown()
        self.draw_tab.shutdown()
        if self.state.store is not None:
            self.state.store.close()
        for loader in list(self._loaders):
            loader.wait()
        event.accept()


def loading_text(path: str | None) -> str:
    """What the status bar says while ``path`` loads (None: the bundled model, looked up after the first paint)."""
    return f"Loading model {Path(path).name}…" if path else "Loading model…"


def model_status_text(file_name: str, test_accuracy: float | None) -> str:
    if test_accuracy is None:
        return file_name
    return f"{file_name} · MNIST test accuracy {test_accuracy * 100:.2f}%"


def dropped_model_path(mime) -> str | None:
    """The one local .h5/.keras file being dropped, else None."""
    from mnist_pad.model_io import MODEL_SUFFIXES

    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = urls[0].toLocalFile()
    return path if Path(path).suffix.lower() in MODEL_SUFFIXES else None
