"""What the decider needs of an article that does not depend on the story: computed once, where extraction scales out.

The story index's signature and the reading of the lead (words, lemmas, the language's markers, the catalogue's
words, dates, places) cost most of deciding an article, and are the same for every story it is decided against. The
extract workers compute them and carry them in the extracted-article message; a decider that gets an article without
them (or read with other language data) reads it itself.
"""
from __future__ import annotations

from consumers.decide.reading import carried_reading
from consumers.matching import StoryIndex
from schemas import ExtractedArticle


def enrich(article: ExtractedArticle) -> ExtractedArticle:
    update: dict = {}
    if article.signature is None:
        update["signature"] = StoryIndex.signature(article.text, title=article.title, lang=article.language,
                                                   published=article.published)
    if article.reading is None:
        update["reading"] = carried_reading(article.title, article.text, article.language)
    return article.model_copy(update=update) if update else article
