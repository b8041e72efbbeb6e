"""The embedded server's entry point: llama-cpp-python's server, sampling a grammar's greedy
choice as llama.cpp's own server does.

llama-cpp-python puts the grammar in the sampler chain before the greedy pick, so after every
token the grammar judges all 151,936 tokens of the bundled model's vocabulary: about 46 ms a
token on 2 cores, against about 70 ms for decoding it. llama.cpp's own sampler
(``common_sampler_sample``) first picks the likeliest token, asks the grammar about that one
token, and filters the whole vocabulary only when the grammar refuses it. Since the likeliest
token that the grammar allows is the likeliest token whenever the grammar allows it, the two
give the same tokens. This module does the same for greedy sampling (temperature 0, what the
library asks for) and leaves every other request to llama-cpp-python as it is.

Run as ``python -m summarizer.llm.serve`` with the arguments of ``python -m llama_cpp.server``.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import numpy as np

# The token data llama.cpp samples from, as numpy sees it (llama_token_data, C layout).
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)


class GrammarLast:
    """Greedy sampling under a grammar that consults it on the likeliest token first.

    ``chain`` is the sampler chain llama-cpp-python builds for the request without the grammar
    (its penalties, then the greedy pick); ``grammar`` the request's ``LlamaGrammar``.
    """

    def __init__(self, llama: Any, chain: Any, grammar: Any) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._chain = chain
        self._n_vocab = llama.n_vocab()
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        if not self._grammar:
            raise ValueError("llama.cpp could not build the request's grammar")
        self._all = np.zeros(self._n_vocab, dtype=_TOKEN_DATA)
        self._all["id"] = np.arange(self._n_vocab, dtype=np.int32)
        self._one = np.zeros(1, dtype=_TOKEN_DATA)

    def sample(self, ctx: Any, idx: int = -1) -> int:
        """The next token, accepted by the chain and the grammar (as ``LlamaSampler.sample``)."""
        lib = self._lib
        logits = np.ctypeslib.as_array(
            lib.llama_get_logits_ith(ctx.ctx, idx), shape=(self._n_vocab,)
        )
        cur = self._all
        cur["id"] = np.arange(self._n_vocab, dtype=np.int32)
        cur["logit"] = logits
        every = self._array(cur)
        lib.llama_sampler_apply(self._chain.sampler, ctypes.byref(every))
        token = int(cur["id"][every.selected])
        one = self._one
        one[0] = (token, cur["logit"][every.selected], 0.0)
        single = self._array(one)
        lib.llama_sampler_apply(self._grammar, ctypes.byref(single))
        if np.isneginf(one["logit"][0]):
            # Refused: the grammar judges every token, and the likeliest it allows is taken.
            every = self._array(cur)
            lib.llama_sampler_apply(self._grammar, ctypes.byref(every))
            token = int(cur["id"][int(np.argmax(cur["logit"][: every.size]))])
        lib.llama_sampler_accept(self._chain.sampler, token)
        lib.llama_sampler_accept(self._grammar, token)
        return token

    def _array(self, data: np.ndarray) -> Any:
        lib = self._lib
        return lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p),
            size=len(data),
            selected=-1,
            sorted=False,
        )

    def __del__(self) -> None:
        grammar, self._grammar = getattr(self, "_grammar", None), None
        if grammar:
            self._lib.llama_sampler_free(grammar)


def install() -> bool:
    """Make ``llama_cpp.Llama`` sample greedy grammar requests with :class:`GrammarLast`;
    False (nothing changed) when this llama-cpp-python lacks what that needs."""
    import llama_cpp
    from llama_cpp import llama as module

    needed = (
        "llama_sampler_init_grammar", "llama_sampler_apply", "llama_sampler_accept",
        "llama_sampler_free", "llama_get_logits_ith", "llama_token_data_array",
        "llama_token_data_p",
    )  # fmt: skip
    original = getattr(module.Llama, "_init_sampler", None)
    if original is None or not all(hasattr(llama_cpp, name) for name in needed):
        return False
    if getattr(original, "grammar_last", False):
        return True

    def init_sampler(self: Any, *args: Any, **kwargs: Any) -> Any:
        grammar = kwargs.get("grammar")
        plain = (
            args
            or grammar is None
            or kwargs.get("temp") != 0.0
            or kwargs.get("logits_processor") is not None
            or kwargs.get("mirostat_mode", 0) != 0
        )
        if plain:
            return original(self, *args, **kwargs)
        return GrammarLast(self, original(self, **(kwargs | {"grammar": None})), grammar)

    init_sampler.grammar_last = True  # type: ignore[attr-defined]
    module.Llama._init_sampler = init_sampler  # type: ignore[method-assign]
    return True


def main() -> None:  # pragma: no cover - runs as the server process
    install()
    from llama_cpp.server.__main__ import main as serve

    sys.argv[0] = "summarizer.llm.serve"
    serve()  # type: ignore[no-untyped-call]


if __name__ == "__main__":  # pragma: no cover
    main()
