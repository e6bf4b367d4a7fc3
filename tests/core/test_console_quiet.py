"""No console noise from Keras in normal use: the .h5 saves the project makes on purpose stay quiet."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from cli_helpers import OUTSIDE_CHECKOUT

SAVE_AND_WARN = textwrap.dedent(
    """
    import sys
    from training import import_tensorflow_quietly
    import_tensorflow_quietly()
    import keras
    from absl import logging
    import {module}

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.save(sys.argv[1])
    logging.warning("a real warning stays visible")
    """
)


def saving_stderr(module: str, tmp_path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SAVE_AND_WARN.format(module=module), str(tmp_path / "model.h5")],
        capture_output=True, text=True, cwd=OUTSIDE_CHECKOUT, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_keras_warns_of_h5_saves_unless_silenced(tmp_path):
    # The control: without the project's modules Keras does print the warning this file checks for.
    assert "as an HDF5 file" in saving_stderr("json", tmp_path)


def test_adapting_and_training_save_h5_without_the_legacy_warning_but_keep_others(tmp_path):
    for module in ("training.adapt", "training.checkpoint"):
        stderr = saving_stderr(module, tmp_path)
        assert "as an HDF5 file" not in stderr, (module, stderr)
        assert "a real warning stays visible" in stderr, (module, stderr)
