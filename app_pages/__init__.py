"""Pages of the Vaultcover app."""
