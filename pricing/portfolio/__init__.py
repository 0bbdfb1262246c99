"""The insurer's book: accumulation of theft losses across exchanges that share providers.

- :mod:`.book`: the book CSV (exchanges, providers, the layer written on each);
- :mod:`.model`: each exchange's own thefts plus common shocks per provider;
- :mod:`.simulate`: one chunk of years and the streaming, order-free reduction;
- :mod:`.engine`: the run on Dask (a local cluster or a scheduler address);
- :mod:`.result`: VaR/TVaR, AEP/OEP, accumulation by provider, Euler allocation;
- :mod:`.scenario`: "what if this provider is compromised";
- :mod:`.plots`: figure builders for the app.
"""

from .book import Book, BookEntry, load_book, parse_book
from .engine import run_portfolio, standalone_tvar
from .model import ExchangeRisk, PortfolioModel, build_portfolio, portfolio_from_risks
from .result import LEVELS, PortfolioResult
from .scenario import ProviderScenario, provider_scenario

__all__ = [
    "LEVELS",
    "Book",
    "BookEntry",
    "ExchangeRisk",
    "PortfolioModel",
    "PortfolioResult",
    "ProviderScenario",
    "build_portfolio",
    "load_book",
    "parse_book",
    "portfolio_from_risks",
    "provider_scenario",
    "run_portfolio",
    "standalone_tvar",
]
