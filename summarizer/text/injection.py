"""Find instructions planted in an article: text addressed to the model, not reported news.

"Ignore previous instructions", fake system messages, chat-template tokens, orders to output
JSON or to attribute claims to someone, and JSON that mimics the answer schema. Such text stays
in the article, but it cannot be evidence for a claim, and a source named only inside it does
not count as occurring in the article.
"""

from __future__ import annotations

import re

from summarizer.text.sentences import sentence_spans

_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(instructions?|prompts?|directions"
    r"|rules|guidelines|context)\b"
    r"|\byou are (now )?(an? |in |the )?(ai|assistant|language model|llm|chatbot|chatgpt|gpt"
    r"|developer mode|dan)\b"
    r"|^\s*[\[#(<]*\s*(system|assistant|developer)\s*(message|prompt)?\s*[\])>]*\s*:"
    r"|<\|?(im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>|\[/?INST\]"
    r"|\b(new|updated|additional|important) instructions?\s*:"
    r"|\b(output|respond|reply|return|print|answer)\b[^.!?\n]{0,30}\b(only|json|following"
    r"|verbatim|exactly)\b"
    r"|\b(attribute|cite|credit|assign)\b[^.!?\n]{0,30}\b(every|all|each|any)\b[^.!?\n]{0,20}"
    r"\b(claims?|statements?|facts?|quotes?)\b"
    r"|\bwhen (you )?(summari[sz]e|summari[sz]ing|extract|extracting)\b[^.!?\n]{0,60}"
    r"\b(must|should|always|never|cite|attribute|say|write|output)\b",
    re.IGNORECASE | re.MULTILINE,
)
# JSON that looks like an answer: an object with keys such as "claims", "quote", "source".
_FAKE_JSON = re.compile(
    r"\{[^{}]{0,200}\"(claims|quote|source|headline|summary|tool_calls|function|role)\"\s*:",
    re.IGNORECASE,
)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that read as instructions to a model, merged and sorted."""
    spans = [(a, b) for a, b in sentence_spans(text) if _INSTRUCTION.search(text[a:b])]
    for m in _FAKE_JSON.finditer(text):
        spans.append((m.start(), _closing_brace(text, m.start())))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _closing_brace(text: str, start: int) -> int:
    """The end of the JSON-like object opening at ``start`` (or of its line if unbalanced)."""
    depth = 0
    for i in range(start, min(len(text), start + 20_000)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    end = text.find("\n", start)
    return len(text) if end < 0 else end
