"""The learned cue model: the cue lexicon, the cue and source weights, and the threshold,
made from the PolNeAR train compartment by ``benchmarks/train_attribution.py`` and shipped as
``cue_model.json``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from summarizer.attribution.features import Candidate, entity_feature


@dataclass(frozen=True)
class CueModel:
    """The learned cue lexicon and candidate weights."""

    lexicon: dict[str, float]
    weights: dict[str, float]
    source_weights: dict[str, float]
    threshold: float
    sourceless: frozenset[str]

    def score(self, features: tuple[str, ...]) -> float:
        """Probability that a candidate is the span's cue."""
        z = sum(self.weights.get(f, 0.0) for f in features)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def source_score(self, features: tuple[str, ...]) -> float:
        """Score of a candidate source head (higher is likelier)."""
        return sum(self.source_weights.get(f, 0.0) for f in features)

    def entity_score(self, ent: str) -> float:
        """What a candidate source's named-entity type adds to its score."""
        return self.source_weights.get(entity_feature(ent), 0.0)

    @cached_property
    def entity_range(self) -> tuple[float, float]:
        """The least and the most any named-entity type (or none) adds to a score."""
        weights = [w for f, w in self.source_weights.items() if f.startswith("ent=")]
        return min([0.0, *weights]), max([0.0, *weights])

    def sure_source(self, choices: list[Candidate], scores: list[float]) -> int | None:
        """The token of the choice that ranks first whatever the entity types of the
        candidates turn out to be, or None when they may decide it."""
        lo, hi = self.entity_range
        best = max(range(len(choices)), key=scores.__getitem__)
        low = scores[best] + (lo if choices[best].token >= 0 else 0.0)
        for n, c in enumerate(choices):
            if n != best and scores[n] + (hi if c.token >= 0 else 0.0) >= low:
                return None
        return choices[best].token


@lru_cache(maxsize=1)
def cue_model() -> CueModel:
    """The cue model shipped with the package."""
    raw: dict[str, Any] = json.loads(
        resources.files("summarizer.attribution").joinpath("cue_model.json").read_text("utf-8")
    )
    return CueModel(
        raw["lexicon"],
        raw["weights"],
        raw["source_weights"],
        float(raw.get("threshold", 0.5)),
        frozenset(raw.get("sourceless", [])),
    )
