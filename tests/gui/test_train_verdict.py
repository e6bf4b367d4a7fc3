"""The Train tab's verdict after a real run: what the new model does better and worse than the model in use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from train_helpers import TRAINING_TIMEOUT_MS, configure

from mnist_pad.model_io import default_model_path
from training.compare import LETTERS_ENV_VAR
from training.verdict import WORSE


def test_the_train_tabs_verdict_names_a_model_that_lost_not_a_digit_as_worse_at_it(
    qtbot, tab, out_dir, monkeypatch, pen_letters_path
):
    monkeypatch.setenv(LETTERS_ENV_VAR, str(pen_letters_path))  # the training process inherits it
    in_use = default_model_path()  # turns away letters and scribbles by its card's rule
    tab.set_model_in_use(str(in_use))
    # A newcomer's run: the MNIST-trained network fine-tuned on digits alone, no drawing that is not one.
    configure(tab, out_dir / "digits_only.h5", epochs=1, train_samples=400, batch_size=50)
    tab.form.start_check.setChecked(True)
    with qtbot.waitSignal(tab.training_finished, timeout=TRAINING_TIMEOUT_MS) as finished:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert tab.errors == []

    comparison = finished.args[0].comparison
    judged = {judgement.items: judgement for judgement in comparison.judgements}
    letters, made_up = judged["letters like no digit"], judged["made-up drawings (shapes and scribbles)"]
    assert letters.outcome == made_up.outcome == WORSE
    shown = tab.summary_label.text().splitlines()
    for judgement in (letters, made_up):
        sentence = judgement.sentence(in_use.name)
        assert sentence in shown
        assert sentence.startswith("Worse at turning away drawings that are not digits: ")
        assert sentence.endswith(f"turned away, against {judgement.current_right / judgement.n:.1%} by {in_use.name}.")
    assert not any(line.startswith("Better") for line in shown)
