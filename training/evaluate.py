"""Accuracy, per-class accuracy and the confusion matrix of a model on labelled images."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_CLASSES = 10


@dataclass(frozen=True)
class Evaluation:
    confusion: np.ndarray  # (10, 10) counts, rows = true class, columns = predicted

    @property
    def n(self) -> int:
        return int(self.confusion.sum())

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / max(self.n, 1))

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """NaN for a class with no samples."""
        totals = self.confusion.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(self.confusion) / totals

    def as_dict(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "n": self.n,
            "per_class_accuracy": [None if np.isnan(a) else float(a) for a in self.per_class_accuracy],
            "confusion": self.confusion.tolist(),
        }

    def report(self) -> str:
        lines = [f"accuracy {self.accuracy:.4f} on {self.n} digits", "", "class  accuracy      n"]
        for digit, (accuracy, count) in enumerate(zip(self.per_class_accuracy, self.confusion.sum(1))):
            lines.append(f"{digit:>5}  {accuracy:8.4f}  {count:5d}")
        lines += ["", "confusion (rows: true, columns: predicted)", "     " + "".join(f"{c:>6}" for c in range(10))]
        lines += [f"{t:>5}" + "".join(f"{v:>6}" for v in row) for t, row in enumerate(self.confusion)]
        return "\n".join(lines)


def per_writer_summary(labels: np.ndarray, predicted: np.ndarray, writers: np.ndarray, worst: int = 5) -> dict:
    """How accuracy spreads over writers: their number, the median and worst writer, the worst few."""
    correct = np.asarray(labels) == np.asarray(predicted)
    names, which = np.unique(np.asarray(writers).astype(str), return_inverse=True)
    counts = np.bincount(which, minlength=len(names))
    accuracy = np.bincount(which, weights=correct, minlength=len(names)) / counts
    order = np.lexsort((-counts, accuracy))  # worst first; of equals, the writer with more digits
    return {
        "writers": len(names),
        "median_accuracy": float(np.median(accuracy)) if len(names) else None,
        "worst_accuracy": float(accuracy[order[0]]) if len(names) else None,
        "worst_writers": [
            {"writer": str(names[i]), "accuracy": float(accuracy[i]), "n": int(counts[i])} for i in order[:worst]
        ],
    }


def per_contributor_accuracy(labels: np.ndarray, predicted: np.ndarray, writers: np.ndarray) -> dict:
    """Accuracy on each contributor's (institution's) digits: ``{name: {"n": digits, "accuracy": share}}``."""
    from mnist_pad.pen_digits import contributors_of

    correct = np.asarray(labels) == np.asarray(predicted)
    names, which = np.unique(contributors_of(writers), return_inverse=True)
    counts = np.bincount(which, minlength=len(names))
    right = np.bincount(which, weights=correct, minlength=len(names))
    return {str(name): {"n": int(n), "accuracy": float(r / n)} for name, n, r in zip(names, counts, right)}


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    flat = np.asarray(labels, np.int64) * NUM_CLASSES + np.asarray(predicted, np.int64)
    return np.bincount(flat, minlength=NUM_CLASSES**2).reshape(NUM_CLASSES, NUM_CLASSES)


def evaluate_predictions(labels: np.ndarray, probabilities: np.ndarray) -> Evaluation:
    return Evaluation(confusion_matrix(labels, np.argmax(probabilities, axis=1)))


def evaluate(model, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> Evaluation:
    """Evaluate a Keras model on uint8 images, fed by the same generator as training."""
    from training.generator import MnistSequence

    probabilities = model.predict(MnistSequence(images, labels, batch_size), verbose=0)
    return evaluate_predictions(labels, probabilities)
