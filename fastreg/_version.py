# The single source of fastreg's version: pyproject.toml reads it at build time.
__version__ = "0.1.0"
