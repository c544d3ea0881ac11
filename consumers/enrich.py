"""What the decider needs of an article that does not depend on the story: computed once, where extraction scales out.

The story index's signature costs about as much as the rest of deciding an article, so the extract workers compute
it and carry it in the extracted-article message; a decider that gets an article without one computes it itself.
"""
from __future__ import annotations

from consumers.matching import StoryIndex
from schemas import ExtractedArticle


def enrich(article: ExtractedArticle) -> ExtractedArticle:
    if article.signature is not None:
        return article
    signature = StoryIndex.signature(article.text, title=article.title, lang=article.language,
                                     published=article.published)
    return article.model_copy(update={"signature": signature})
