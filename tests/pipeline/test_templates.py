from __future__ import annotations

import pytest

from summarizer import PromptError
from summarizer.pipeline.templates import prompt_version, prompts_dir, render


def test_every_template_renders_with_its_variables() -> None:
    fields = render("claim_fields")
    assert "<article>\nbody\n</article>" in render(
        "extract_user", article="body", title_line="", max_claims=3, claim_fields=fields
    )
    part = render(
        "chunk_user",
        article="body",
        part=2,
        parts=3,
        title_line="",
        max_claims=3,
        claim_fields=fields,
    )
    assert '<article part="2 of 3">\nbody\n</article>' in part and fields in part
    assert "c1 (Umerov): t" in render("combine_user", title_line="", claims="c1 (Umerov): t")
    assert "[S1]" in render("system")
    item = render("reask_item", id="c1", text="t", reason="r", sentences="[S4] s")
    assert item.startswith("[c1] t") and "[S4] s" in item
    assert "one fix per claim" in render("reask_user", items=item)


def test_a_missing_variable_fails_loudly() -> None:
    with pytest.raises(PromptError, match="max_claims"):
        render("extract_user", article="body", title_line="")


def test_an_unknown_template_fails_loudly() -> None:
    with pytest.raises(PromptError, match="nope"):
        render("nope")


def test_article_text_is_never_treated_as_a_template() -> None:
    for name in ("extract_user", "chunk_user"):
        text = render(
            name,
            article="costs $5 or ${x}",
            title_line="",
            max_claims=1,
            claim_fields="",
            part=1,
            parts=2,
        )
        assert "costs $5 or ${x}" in text


def test_version_is_a_hash_of_every_template() -> None:
    version = prompt_version()
    assert version.startswith("sha256:") and len(version) == len("sha256:") + 12
    assert len(list(prompts_dir().glob("*.txt"))) >= 5
