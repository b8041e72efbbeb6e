"""spaCy's attribute ruler (the rules that give each token its coarse part of speech,
morphology and some lemmas from its tag, word and dependency label) without its matcher.

Nearly all the rules of ``en_core_web_sm`` look at one token, and the few others at two fixed
words, so which rules match a token depends only on its tag, lowercase form, dependency label
and whether it is white space: that is worked out once per such combination and remembered.
The matches are then applied by the ruler itself, in the order it applies them, so the tokens
end up exactly as the ruler would leave them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# What a rule may test, and how to read it from a token's key (tag, lower, dep, is_space).
_FIELDS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}

Key = tuple[str, str, str, bool]
Test = Callable[[Key], bool]


def _value_test(field: int, value: Any) -> Test:
    """A test of one field of a key against a rule's value; raises ValueError for a form of
    value that is not read here."""
    if isinstance(value, str | bool):
        return lambda key: key[field] == value
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op == "IN":
            within = frozenset(arg)
            return lambda key: key[field] in within
        if op == "NOT_IN":
            without = frozenset(arg)
            return lambda key: key[field] not in without
        if op == "REGEX" and isinstance(arg, str):
            pattern = re.compile(arg)
            return lambda key: bool(pattern.search(str(key[field])))
    raise ValueError(f"a rule value not read here: {value!r}")


def _token_test(spec: dict[str, Any]) -> Test:
    """A test of one token of a rule; raises ValueError for a field not read here."""
    tests = []
    for name, value in spec.items():
        if name not in _FIELDS:
            raise ValueError(f"a rule field not read here: {name}")
        tests.append(_value_test(_FIELDS[name], value))
    return lambda key: all(t(key) for t in tests)


Pattern = tuple[int, int, int, list[Test]]  # order, rule number, match id, token tests
_REMEMBERED = 50_000  # token keys whose matching patterns are kept
_ATTRS = ["TAG", "LOWER", "DEP", "IS_SPACE"]


class TokenRuler:
    """Applies an ``AttributeRuler``'s rules; raises ValueError (at construction) if one of
    them uses a form this does not read."""

    def __init__(self, ruler: Any) -> None:
        self._ruler = ruler
        strings = ruler.vocab.strings
        # Patterns by the word or else the tag their first token must have, so that only a
        # few are tried on each token.
        self._by_lower: dict[str, list[Pattern]] = {}
        self._by_tag: dict[str, list[Pattern]] = {}
        self._other: list[Pattern] = []
        order = 0
        for n in range(len(ruler.attrs)):
            match_id = strings[str(n)]
            for pattern in ruler.matcher.get(match_id)[1]:
                entry = (order, n, match_id, [_token_test(spec) for spec in pattern])
                order += 1
                first = pattern[0]
                if isinstance(first.get("LOWER"), str):
                    self._by_lower.setdefault(first["LOWER"], []).append(entry)
                elif isinstance(first.get("TAG"), str):
                    self._by_tag.setdefault(first["TAG"], []).append(entry)
                else:
                    self._other.append(entry)
        self._seen: dict[tuple[int, ...], list[Pattern]] = {}

    def _starts(self, row: tuple[int, ...]) -> list[Pattern]:
        """The patterns whose first token matches a token with this row of attribute ids
        (tag, lower, dep, is_space), in order."""
        found = self._seen.get(row)
        if found is None:
            key = self._key(row)
            tried = [*self._by_lower.get(key[1], ()), *self._by_tag.get(key[0], ()), *self._other]
            found = sorted(p for p in tried if p[3][0](key))
            if len(self._seen) >= _REMEMBERED:
                self._seen.clear()
            self._seen[row] = found
        return found

    def _key(self, row: tuple[int, ...]) -> Key:
        """The strings of a row of attribute ids."""
        strings = self._ruler.vocab.strings
        return strings[row[0]], strings[row[1]], strings[row[2]], bool(row[3])

    def __call__(self, doc: Any) -> Any:
        """Set the rules' attributes on the tokens of ``doc``; returns ``doc``."""
        # Attribute ids from the doc's array: cheaper than reading each token object.
        rows = [tuple(r) for r in doc.to_array(_ATTRS).tolist()]
        matches = []
        for start, row in enumerate(rows):
            for _, n, match_id, tests in self._starts(row):
                end = start + len(tests)
                if end <= len(rows) and all(
                    test(self._key(rows[start + j])) for j, test in enumerate(tests[1:], 1)
                ):
                    matches.append((n, match_id, start, end))
        matches.sort()
        self._ruler.set_annotations(doc, matches)
        return doc
