"""Khmer words for the site search: ICU's word break iterator splits Khmer text, written without
spaces between words, into words (the implementation, which the content apps' words columns also
use, is core/khmer.py; `manage.py segment_khmer` refills the columns).

- `segment(text)`: the text's words separated by single spaces (Khmer split by ICU's
  dictionary, other words kept; all casefolded; punctuation such as ។ ៕ ៖ dropped);
- `words(text)`: the same words as a list;
- `has_khmer(text)`: whether the text has a Khmer character;
- `words_column(*texts)`: the stored form of the words of texts (plain or HTML): " w1 w2 … "
  with a space before, between and after the words; "" when there are none;
- `KHMER_CONFIG`: PostgreSQL's text search configuration of the Khmer vectors ('simple').

The stored columns: km_words and km_body_words on news.NewsItem, pages.ProgramPage and
partners.Municipality; their vectors: NewsItem.search_public_km and search_members_km,
ProgramPage.search_km, Municipality.search_km (GIN-indexed, PostgreSQL only)."""

from core.khmer import KHMER_CONFIG, has_khmer, segment, words, words_column

__all__ = ["KHMER_CONFIG", "has_khmer", "segment", "words", "words_column"]
