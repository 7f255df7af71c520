"""The team server: an HTTP API and a web map over the same stage functions the CLI calls.

``olfato serve`` runs :func:`olfato.server.app.create_app` under uvicorn. Accounts
and roles live in the store (:mod:`olfato.store.accounts`); slow work runs as
background jobs on a process pool (:mod:`olfato.server.jobs`).
"""
