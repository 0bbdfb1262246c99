"""Library notes that carry their amounts: English and USD as text, any language and currency
when shown.

A :class:`Note` *is* the English sentence with its amounts in USD (a ``str``: the CLI, the
exports and every comparison see exactly the text they always did), and it keeps the template
and the USD amounts it was written from, so a page can write the same sentence through the
message catalogue with its own money formatter, as
:func:`pricing.strategy.words.recommendation_text` does, instead of finding amounts in the text
afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .i18n import tr

__all__ = ["Note", "usd_whole"]


def usd_whole(usd: float) -> str:
    """The library's way of writing an amount in a note: ``USD 1,000,000``."""
    return f"USD {usd:,.0f}"


class Note(str):
    """A note whose ``{placeholders}`` are USD amounts (``amounts``) or fixed words (``words``).

    Examples
    --------
    >>> note = Note("fitted to losses above {amount}", amounts={"amount": 1e6})
    >>> note
    'fitted to losses above USD 1,000,000'
    >>> note.render("en", lambda usd: f"{usd / 1e6:g} m")
    'fitted to losses above 1 m'
    """

    template: str
    amounts: dict[str, float]
    words: dict[str, str]

    def __new__(
        cls,
        template: str,
        amounts: Mapping[str, float] | None = None,
        words: Mapping[str, str] | None = None,
    ) -> Note:
        money = {k: float(v) for k, v in (amounts or {}).items()}
        fixed = dict(words or {})
        self = super().__new__(
            cls, template.format(**fixed, **{k: usd_whole(v) for k, v in money.items()})
        )
        self.template, self.amounts, self.words = template, money, fixed
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Note, (self.template, self.amounts, self.words))

    def render(self, lang: str = "en", money: Callable[[float], str] | None = None) -> str:
        """The note in ``lang`` (through the catalogue) with each amount written by ``money``
        (a USD amount to text in the display currency; the library's ``USD 1,000,000`` when
        none)."""
        write = money or usd_whole
        return tr(self.template, lang).format(
            **self.words, **{k: write(v) for k, v in self.amounts.items()}
        )
