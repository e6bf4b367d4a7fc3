"""Data, generator, model and fit for mnist-pad. Pure: nothing here imports Qt."""

import os
import sys
from contextlib import contextmanager

# TensorFlow's C++ start-up chatter would bury our one-line messages; real
# errors still surface as Python exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextmanager
def native_stderr_silenced():
    """Point file descriptor 2 at /dev/null: C++ writes that no log level reaches."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow (and Keras) once, without its CUDA probe's stderr lines.

    The GPU build of TensorFlow logs "Could not find cuda drivers" before its
    log level applies; command lines whose errors must be one line call this
    before anything imports Keras.
    """
    if "tensorflow" in sys.modules:
        return
    with native_stderr_silenced():
        import keras  # noqa: F401
        import tensorflow

        tensorflow.config.list_physical_devices()  # the CUDA probe runs here, not at import


def silence_legacy_h5_warning() -> None:
    """Keep Keras from logging "saving as an HDF5 file … considered legacy" at every ``.h5`` save.

    .h5 is this project's format on purpose (the tutorial's, and what the app opens);
    only that one message is dropped, every other warning and error still shows.
    """
    import logging

    logger = logging.getLogger("absl")
    if _drop_legacy_h5_warning not in logger.filters:
        logger.addFilter(_drop_legacy_h5_warning)


def _drop_legacy_h5_warning(record) -> bool:
    return "as an HDF5 file" not in record.getMessage()
