"""The ground floor for files: reading .npz arrays, checksums, model cards, and atomic writes.

Atomic writes: a reader sees the old complete file or the new complete file.
Everything is written to a temporary file in the target's own directory (same
filesystem), flushed to disk, then renamed over the target with ``os.replace``,
which POSIX and Windows both make atomic. A process killed mid-write leaves only
a stray temporary file, never a half-written target.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from mnist_pad.errors import PlainError, first_line

# numpy is imported where an .npz is read: everything imports this ground floor, the
# window's first paint included, and must not wait for numpy.
if TYPE_CHECKING:
    import numpy as np

CARD_SUFFIX = ".card.json"


def card_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.stem + CARD_SUFFIX)


def read_card(model_path: Path) -> dict | None:
    """The card beside ``model_path``: None when it has none, ``{}`` when it cannot be read."""
    path = card_path(model_path)
    if not path.is_file():
        return None
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # not UTF-8, not JSON, nested past the parser's stack
        return {}
    return card if isinstance(card, dict) else {}


def card_fraction(card: dict | None, key: str) -> float | None:
    """``card[key]`` when it is a share between 0 and 1 (an accuracy), else None."""
    value = (card or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 <= value <= 1 else None  # NaN fails both comparisons


def read_npz(path: Path, keys, kind: str, error: type[PlainError], optional=()) -> dict[str, np.ndarray]:
    """The arrays ``keys`` (and those of ``optional`` it has) of an .npz file.

    Any problem becomes ``error`` with one sentence.
    """
    import numpy as np

    if not path.is_file():
        raise error(f"{path}: no such file.")
    if not zipfile.is_zipfile(path):  # else numpy would try, and refuse, to unpickle it
        raise error(f"{path}: not an .npz file (corrupt, truncated or another format).")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise error(f"{path}: not {kind}, it lacks {', '.join(missing)}.")
            arrays = {k: npz[k] for k in (*keys, *optional) if k in npz.files}
    except error:
        raise
    # Arrays are decompressed as they are read, and a damaged archive lets out whatever
    # zipfile, zlib and numpy's header parser meet: zlib.error, struct.error, EOFError,
    # NotImplementedError (a compression method it lacks), RuntimeError (an "encrypted"
    # flag), MemoryError (an absurd shape), ... All of them mean the same to the user.
    except Exception as failure:
        raise error(f"{path}: not a readable .npz file ({first_line(failure)}).") from failure
    for key, array in arrays.items():
        if not isinstance(array, np.ndarray):  # numpy hands back a member without the .npy mark as bytes
            raise error(f"{path}: its {key} entry is not an array (corrupt file).")
    return arrays


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OutputError(PlainError):
    """An output path that cannot be written; the message is one plain sentence."""


def temporary_sibling(path: Path) -> Path:
    # Keras picks the format from the suffix, so the temporary name keeps it.
    return path.with_name(f".{path.stem}.partial-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")


def remove_stray_temporaries(path: Path, writer_pid: int) -> None:
    """Delete what a killed process ``writer_pid`` left of its writes to ``path``."""
    for stray in path.parent.glob(f".{path.stem}.partial-{writer_pid}-*{path.suffix}"):
        stray.unlink(missing_ok=True)


def ensure_writable(path: Path) -> None:
    """Fail before hours of work if ``path`` could not be written later."""
    if path.is_dir():
        raise OutputError(f"{path}: is a directory, not a file.")
    probe = temporary_sibling(path)
    blocking = next((p for p in path.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise OutputError(f"{path}: cannot be written, {blocking} is a file, not a folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise OutputError(f"{path}: cannot be written ({error.strerror or error}).") from error


def commit(temporary: Path, target: Path) -> None:
    """Flush ``temporary`` to disk and rename it over ``target``."""
    with open(temporary, "rb+") as stream:
        os.fsync(stream.fileno())
    os.replace(temporary, target)
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def write_atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Have ``write`` fill a temporary sibling of ``target`` (a Keras ``model.save``), then commit it."""
    temporary = temporary_sibling(target)
    try:
        write(temporary)
        commit(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes_atomic(target: Path, payload: bytes) -> None:
    write_atomic(target, lambda temporary: temporary.write_bytes(payload))
