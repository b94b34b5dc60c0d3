# bench: fastreg's benchmark, run as ``python -m bench`` from the repository root.
#
# It measures epoch throughput of the compiled epoch loop against the NumPy reference,
# whole fits (iris, and time to solution against scikit-learn), and the machine's read
# bandwidth, and writes a table (stdout), a JSON file and a PNG plot. Not part of the
# installed package.
"""fastreg's benchmark: ``python -m bench --help``."""
