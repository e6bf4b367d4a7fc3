"""Damaged copies of real files, as a broken download or disk makes them, and each input's own loader.

A ``Damage`` flips bytes, cuts the file short, zeroes a block or appends junk;
``damaged_json`` drops keys and puts values of other types into a card. Each
``Kind`` builds its real, undamaged file once (from the project's own data and
code) and loads a damaged copy the way the app and the commands do, so that
``outcome`` can tell a clean load from a refusal in the project's own words and
from anything else (an escape). Shared by tests/core/test_damaged_files.py (a few
cases per kind, through Hypothesis) and benchmarks/bench_damage.py (thousands).
"""

from __future__ import annotations

import gzip
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from mnist_pad.errors import PlainError

HOW = ("flip", "truncate", "zero", "append")
MAX_DAMAGE_BYTES = 64
# Values of the wrong type for any key of a card: no "?" among them, so that a "?" in a
# rendered card can only come from the renderer.
WRONG_VALUES = (None, True, False, 0, -3, 7.5, 1e308, float("nan"), float("inf"), 2**70, "", "text",
                [], [1, "two"], {}, {"key": 1}, [{"role": "pen digits"}], {"accuracy": "high"})

LOADED, REFUSED = "loaded", "refused"


@dataclass(frozen=True)
class Damage:
    how: str  # one of HOW
    where: float  # in [0, 1): where in the file it starts (or is cut)
    size: int  # bytes flipped, zeroed or appended
    seed: int

    def apply(self, data: bytes) -> bytes:
        start = int(self.where * len(data))
        rng = random.Random(self.seed)
        if self.how == "truncate":
            return data[:start]
        if self.how == "append":
            return data + rng.randbytes(self.size)
        if self.how == "zero":
            return data[:start] + bytes(len(data[start:start + self.size])) + data[start + self.size:]
        damaged = bytearray(data)
        for position in [start, *(rng.randrange(len(data)) for _ in range(self.size - 1))]:
            damaged[position] ^= rng.randrange(1, 256)
        return bytes(damaged)


def random_damage(rng: random.Random) -> Damage:
    return Damage(rng.choice(HOW), rng.random(), rng.randint(1, MAX_DAMAGE_BYTES), rng.getrandbits(32))


def damaged_json(value, rng: random.Random, rate: float = 0.15):
    """``value`` (a card) with keys dropped and values swapped for others' types, at every depth."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < rate:
                continue  # dropped
            kept[key] = rng.choice(WRONG_VALUES) if roll < 2 * rate else damaged_json(item, rng, rate)
        return kept
    if isinstance(value, list):
        return [rng.choice(WRONG_VALUES) if rng.random() < rate else damaged_json(item, rng, rate)
                for item in value]
    return value


def outcome(load: Callable[[Path], object], path: Path) -> str:
    """LOADED, REFUSED (the project's error, one line naming the file), or how it escaped."""
    try:
        load(path)
    except PlainError as error:
        sentence = str(error)
        if "\n" in sentence or path.name not in sentence:
            return f"unclear refusal: {sentence[:200]}"
        return REFUSED
    except Exception as error:  # what the tests and the benchmark exist to find
        return f"escaped: {type(error).__name__}: {str(error)[:200]}"
    return LOADED


# -- the real files each kind damages ------------------------------------------------


def synthetic_pen_digits(path: Path, count: int = 60, seed: int = 0, compressed: bool = True) -> Path:
    """A small pen-digits file of digit-like random strokes in tablet units, with writers."""
    rng = np.random.default_rng(seed)
    per_digit = rng.integers(1, 4, count)
    strokes = [rng.normal(500, 120, (int(rng.integers(4, 30)), 2)).astype(np.float32)
               for _ in range(int(per_digit.sum()))]
    save = np.savez_compressed if compressed else np.savez
    save(
        path,
        labels=rng.integers(0, 10, count).astype(np.int8),
        points=np.concatenate(strokes),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in strokes])]),
        sample_offsets=np.concatenate([[0], np.cumsum(per_digit)]),
        writer=np.array([f"w{i % 7}" for i in range(count)]),
    )
    return path


def pen_subset(source: Path, path: Path, count: int, seed: int = 0) -> Path:
    """The first writers' ``count`` samples of a real pen-digits-layout file, compressed, every key kept."""
    with np.load(source) as npz:
        arrays = {key: npz[key] for key in npz.files}
    last_stroke = int(arrays["sample_offsets"][count])
    last_point = int(arrays["stroke_offsets"][last_stroke])
    per_sample = {key: value[:count] for key, value in arrays.items() if value.shape[:1] == arrays["labels"].shape}
    np.savez_compressed(
        path, **per_sample,
        points=arrays["points"][:last_point],
        stroke_offsets=arrays["stroke_offsets"][: last_stroke + 1],
        sample_offsets=arrays["sample_offsets"][: count + 1],
    )
    return path


def idx_folder(mnist_npz: Path, folder: Path, gzipped: bool) -> Path:
    """MNIST as the four IDX files (gzipped or not), from an MNIST .npz."""
    from training.data import IDX_NAMES

    folder.mkdir(parents=True, exist_ok=True)
    with np.load(mnist_npz) as npz:
        for key, name in IDX_NAMES.items():
            array = npz[key].astype(np.uint8)
            header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
            payload = header + array.tobytes()
            if gzipped:
                (folder / f"{name}.gz").write_bytes(gzip.compress(payload, mtime=0))
            else:
                (folder / name).write_bytes(payload)
    return folder


def real_store(pen_file: Path, path: Path) -> Path:
    """A store made by the project's own code, holding the digits of ``pen_file``."""
    from mnist_pad.my_digits import DigitStore, import_npz

    with DigitStore(path) as store:
        import_npz(store, pen_file)
    return path


# -- loading a damaged copy as the app and the commands do ----------------------------


def load_model_precheck(path: Path) -> None:
    from mnist_pad.model_io import inspect_model_file

    inspect_model_file(path)


def load_model_fully(path: Path) -> None:
    from mnist_pad.model_io import load_model

    load_model(path)


def load_mnist_file(path: Path) -> None:
    from training.data import load_mnist

    load_mnist(path)


def load_not_digit_file(path: Path) -> None:
    from mnist_pad.pen_digits import load_not_digits

    load_not_digits(path)


def import_pen_file(path: Path) -> None:
    """``mnist-pad-samples import``: into a fresh store, which must stay empty when it is refused."""
    from mnist_pad.my_digits import DigitStore, import_npz

    store_path = path.with_name(path.name + ".store.sqlite")
    store_path.unlink(missing_ok=True)
    with DigitStore(store_path) as store:
        try:
            import_npz(store, path)
        except PlainError:
            if store.counts() != [0] * 10:
                raise AssertionError(f"a refused import of {path.name} left digits in the store") from None
            raise


def open_store(path: Path) -> None:
    """Open a store and read everything; a refusal must leave the file byte-identical."""
    from mnist_pad.my_digits import DigitStore

    before = path.read_bytes()
    try:
        with DigitStore(path) as store:
            store.samples()
            store.counts()
    except PlainError:
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        if path.read_bytes() != before:
            raise AssertionError(f"refusing {path.name} changed it") from None
        raise


def render_card_beside(path: Path) -> None:
    """Read the card beside the model ``path`` names and render it as the Model card page does."""
    from mnist_pad.files import card_path, read_card
    from mnist_pad.model_io import LoadedModel
    from training.card import card_in_words

    card = read_card(path)
    lines = card_in_words(card, path.name)
    accuracy = LoadedModel(path, card).test_accuracy  # what the status bar shows
    question_mark_in_card = "?" in card_path(path).read_text(encoding="utf-8", errors="replace")
    if not lines or any(not isinstance(line, str) or not line for line in lines):
        raise AssertionError(f"the card of {path.name} rendered as {lines!r}")
    if accuracy is not None and not 0 <= accuracy <= 1:
        raise AssertionError(f"the card of {path.name} gives the status bar an accuracy of {accuracy!r}")
    if not question_mark_in_card and any("?" in line for line in lines):
        raise AssertionError(f"the card of {path.name} rendered a '?': {lines!r}")


def write_damaged(original: Path, damage: Damage, folder: Path, name: str | None = None) -> Path:
    """A damaged copy of ``original`` in ``folder`` (same name unless given), beside nothing else."""
    target = folder / (name or original.name)
    target.write_bytes(damage.apply(original.read_bytes()))
    return target


def copy_folder_damaging_one(original: Path, folder: Path, damage: Damage, which: int) -> Path:
    """A copy of a folder of files with the file number ``which`` (sorted) damaged."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(original, folder)
    victim = sorted(folder.iterdir())[which % len(list(folder.iterdir()))]
    victim.write_bytes(damage.apply(victim.read_bytes()))
    return folder
