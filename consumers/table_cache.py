"""Tables built from CLDR at first use (places, the gazetteer) kept as a pickle in the user's cache folder, so the
next process loads them in a moment instead of reading every CLDR locale again."""
from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def cache_path(name: str, version: int) -> Path:
    """~/.cache/newsmon/<name>-v<version>-babel<version>.pickle: a new Babel (new CLDR data) builds anew."""
    import babel

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "newsmon" / f"{name}-v{version}-babel{babel.__version__}.pickle"


def cached_table(name: str, version: int, kind: type[T], build: Callable[[], T]) -> T:
    """The table from the cache when one of `kind` is there, else built and stored (atomically, by rename)."""
    path = cache_path(name, version)
    try:
        with open(path, "rb") as fh:
            table = pickle.load(fh)
        if isinstance(table, kind):
            return table
    except (OSError, pickle.PickleError, EOFError, AttributeError):
        pass
    table = build()
    try:  # a cache is an optimisation: a read-only home must not break matching
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    return table
