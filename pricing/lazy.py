"""Names of a package loaded on first use (PEP 562), so that importing it stays light.

A package lists which of its names live in which submodule and hands the table to
:func:`loader`; the function it returns is the package's module ``__getattr__``::

    _LAZY = {"fit_severity": "fit"}
    __getattr__ = lazy.loader(__name__, _LAZY, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def loader(
    package: str, table: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name in ``table`` is imported from its
    submodule (``table[name]``, relative to ``package``) and kept in ``namespace`` (the
    package's globals), so later look-ups skip the function."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return __getattr__
