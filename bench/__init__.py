# bench: fastreg's benchmark, run as ``python -m bench`` from the repository root.
#
# It measures epoch throughput of the compiled epoch loop and the textbook iris fits
# against the textbook NumPy loop (bench/textbook.py, the baseline of every speedup; the
# NumPy twin's cost is reported beside it), the machine's read bandwidth around every
# measurement larger than the cache, and with --peers the time to solution at matched
# objective against the libraries users would otherwise pick (bench/peers/). It writes a
# table (stdout), a JSON file and a PNG plot. Not part of the installed package.
"""fastreg's benchmark: ``python -m bench --help``."""
