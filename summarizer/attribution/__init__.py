"""Attribution: who the article says asserted a span, read from its text alone.

:class:`Resolver` finds the cue and source of a span (spaCy's parse and a cue model learned
from annotated news); :class:`SourceFinder` checks that a named source occurs in the article;
:func:`same_source` and :func:`kind_of` compare sources and tell their kind.
"""

from summarizer.attribution.names import SourceFinder, distinctive, kind_of, same_source
from summarizer.attribution.resolver import Resolution, Resolver, resolve

__all__ = [
    "Resolution",
    "Resolver",
    "SourceFinder",
    "distinctive",
    "kind_of",
    "resolve",
    "same_source",
]
