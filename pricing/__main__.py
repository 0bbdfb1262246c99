"""``python -m pricing`` runs the ``vaultcover`` command line."""

import sys

from .cli import main

sys.exit(main())
