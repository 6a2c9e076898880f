"""Names that people give (model names): one spelling per name, and a key under which names that read
the same collide.

A name is stored in Unicode's compatibility form, trimmed (NFKC turns a full-width "Ｑｗｅｎ" into
"Qwen" and a no-break space into a space). Two different names whose look-alike keys are equal read
the same to a person ("Qwen" with a Cyrillic "е", "Qwen‐7B" with U+2010 for the hyphen): one of them
is refused, so nobody can pass a model off as another.
"""

from __future__ import annotations

import unicodedata

# Letters of other scripts that look like Latin ones, and dashes that look like a hyphen-minus.
LOOKALIKES = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁһкмтвнАЕОРСУХІЈЅКМТВН", "aeopcyxijsdhkmtbhAEOPCYXIJSKMTBH", strict=True)),
        **dict(zip("αεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ", "aeikvoptuxABEHIKMNOPTYXZ", strict=True)),
        **{dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"},
    }
)


def clean_name(text: str) -> str:
    """The stored spelling: NFKC, white space at either end removed (what is inside stays, so a line
    break or a control character is still there to be refused)."""
    return unicodedata.normalize("NFKC", text).strip()


def lookalike_key(text: str) -> str:
    """What a name looks like: its clean spelling with look-alike letters and dashes folded, case aside."""
    return clean_name(text).translate(LOOKALIKES).casefold()
