"""The package's public surface is exactly what __all__ says."""

from __future__ import annotations

import summarizer


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(summarizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(summarizer, name)).__name__ == "module"}
    assert summarizer.__all__ == sorted(summarizer.__all__)
    assert set(summarizer.__all__) == public - modules


def test_every_export_comes_from_the_package() -> None:
    for name in summarizer.__all__:
        assert getattr(summarizer, name).__module__.startswith("summarizer.")
