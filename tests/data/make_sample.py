"""Rebuild tests/data/mnist_sample.npz: a small, class-balanced, seeded slice of real MNIST.

    python tests/data/make_sample.py ../shared/mnist/mnist.npz
"""

import sys
from pathlib import Path

import numpy as np

TRAIN_PER_CLASS, TEST_PER_CLASS = 200, 50


def balanced(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picked = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)]
    return rng.permutation(np.concatenate(picked))


def main(source: str) -> None:
    rng = np.random.default_rng(20261128)
    with np.load(source) as full:
        train = balanced(full["y_train"], TRAIN_PER_CLASS, rng)
        test = balanced(full["y_test"], TEST_PER_CLASS, rng)
        np.savez_compressed(
            Path(__file__).with_name("mnist_sample.npz"),
            x_train=full["x_train"][train], y_train=full["y_train"][train],
            x_test=full["x_test"][test], y_test=full["y_test"][test],
        )


if __name__ == "__main__":
    main(sys.argv[1])
