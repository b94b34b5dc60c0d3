# bench/peers: time to solution against the libraries a user would otherwise pick, run by
# ``python -m bench --peers``. A problem is data generator + objective + one adapter per
# library (`registry.Problem`); the runner (`runner.run_peers`) knows nothing of any
# problem or library beyond that interface, so a new problem (sparse text-like logistic,
# a CV estimator, a Dask input) is one `registry.register` call in a module imported by
# `problems`, and a new library is one `registry.Library` plus its adapters.
"""Time to solution at matched objective: fastreg against its peers."""
