"""Messages written in another language: a sign that a resident may need an interpreter.

Two cheap checks, no model: much of the message is in a non-Latin script, or it is made of common
words of the languages most spoken in UK cities after English and few English function words.
"""

from __future__ import annotations

import re
import unicodedata

NON_LATIN_SHARE = 0.3


# Common words of the languages most spoken in UK cities after English; a message made of these and
# no English function words is most likely written by someone who would be helped by an interpreter.
_ENGLISH_WORDS = frozenset(
    {
        "the", "a", "an", "and", "is", "are", "to", "of", "in", "on", "for", "my", "i", "you", "it", "this", "that",
        "with", "have", "has", "was", "be", "do", "not", "can", "me", "we",
    }
)  # fmt: skip
_OTHER_LANGUAGE_WORDS = frozenset(
    {
        "nie", "jest", "się", "że", "na", "w", "z", "do", "mam", "moja", "mój", "proszę", "dzień", "dobry", "pomoc",
        "el", "la", "los", "las", "que", "de", "por", "para", "con", "una", "un", "mi", "es", "está", "hola", "gracias",
        "ayuda", "necesito", "și", "nu", "sunt", "este", "pentru", "cu", "mea", "meu", "bună", "ziua", "vă", "rog",
        "não", "é", "com", "uma", "minha", "olá", "obrigado", "ajuda", "preciso", "und", "der", "die", "das", "ich",
        "ist", "nicht", "mit", "ein", "eine", "mein", "meine", "bitte", "hilfe", "ne", "ir", "aš", "mano", "prašau",
        "labas",
    }
)  # fmt: skip


def other_language(text: str) -> bool:
    """Whether ``text`` is mostly common words of another language, and few English ones."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return False
    english = sum(word in _ENGLISH_WORDS for word in words)
    other = sum(word in _OTHER_LANGUAGE_WORDS for word in words)
    return other >= 2 and other > english


def mostly_non_latin(text: str) -> bool:
    """Whether much of ``text`` is written in a non-Latin script (Arabic, Bengali, Chinese...)."""
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 4:
        return False
    non_latin = sum("LATIN" not in unicodedata.name(char, "") for char in letters)
    return non_latin / len(letters) >= NON_LATIN_SHARE
