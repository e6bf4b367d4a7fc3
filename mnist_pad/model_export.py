"""File ▸ Export model…: the model in use as a ``.keras`` file (Keras 3's own format) with its card.

Pure: nothing here imports Qt. Both files are written atomically, the model first:
a card is never left beside a model it does not describe. The runtime file that the
app draws with (``mnist_pad.runtime``) is written last, keyed by the new file's content.
"""

from __future__ import annotations

import json
from pathlib import Path

from mnist_pad.errors import PlainError, first_line
from mnist_pad.files import card_path, file_sha256, write_atomic, write_bytes_atomic
from mnist_pad.model_io import LoadedModel
from training.runtime_export import write_runtime_file_unless_refused

EXPORT_SUFFIX = ".keras"


class ExportError(PlainError):
    """A model that could not be exported; one sentence naming the folder or the file."""


def export_path(chosen: Path) -> Path:
    """``chosen`` with the ``.keras`` suffix that Keras needs to pick its format."""
    return chosen if chosen.suffix.lower() == EXPORT_SUFFIX else chosen.with_name(chosen.name + EXPORT_SUFFIX)


def export_card(loaded: LoadedModel, target: Path) -> dict:
    """The source's card, naming the exported file and what it was exported from."""
    return {
        **(loaded.card or {}),
        "model": target.name,
        "exported_from": loaded.path.name,
        "exported_from_sha256": file_sha256(loaded.path),
    }


def export_model(loaded: LoadedModel, chosen: Path) -> Path:
    """Write ``loaded`` as ``.keras`` and its card beside it; the model's path."""
    target = export_path(Path(chosen))
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent}: no such folder, so {target.name} was not exported.")
    card = (json.dumps(export_card(loaded, target), indent=2) + "\n").encode()
    try:
        write_atomic(target, loaded.model.save)
        write_bytes_atomic(card_path(target), card)
        write_runtime_file_unless_refused(loaded.model, target)
    except OSError as error:
        raise ExportError(
            f"{target.parent}: this folder cannot be written ({error.strerror or first_line(error)}), "
            f"so {target.name} was not exported."
        ) from error
    return target
