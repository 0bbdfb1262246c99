"""Alembic environment of the scenario store.

The store runs the migrations itself (:func:`pricing.store.ScenarioStore`) and passes its open
connection in ``config.attributes["connection"]``; there is no alembic.ini. Importing this
module outside a migration run (e.g. pytest's doctest collection) does nothing.
"""

from __future__ import annotations

from alembic import context

from pricing.store.models import Base


def run_migrations() -> None:
    """Run the migrations on the connection the store handed over."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


try:
    _config = context.config
except (AttributeError, NameError):  # imported outside a migration run
    _config = None
if _config is not None:
    run_migrations()
