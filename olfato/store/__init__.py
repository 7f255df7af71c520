"""The case store (see olfato.store.models)."""
