"""Vaultcover pricing library: data, loss models, aggregate losses, insurance and reserves.

Pure Python with no Streamlit dependency, so the command line, the app and batch scripts
share one implementation.
"""

__version__ = "0.1.0"
