# fastreg._config: show_config(), the one place that reports how this build was made and
# what it will use on this machine.
import os
import platform
import sys
from typing import IO, Any

from fastreg import _kernels
from fastreg._version import __version__


def build_info() -> dict[str, Any]:
    """Return fastreg's build and runtime facts as a dictionary.

    Returns
    -------
    info : dict
        Keys ``version``, ``python``, ``platform``, ``compiler``, ``c_flags``,
        ``build_type``, ``openmp`` (bool), ``max_threads`` (threads a fit uses when
        ``n_jobs=None``), ``simd`` (widest instruction set the kernels use here) and
        ``cpu_count``.
    """
    info = {
        "version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    info.update(_kernels.build_info())
    return info


def show_config(file: IO[str] | None = None) -> None:
    """Print fastreg's version, build flags, OpenMP status, threads and SIMD level.

    Parameters
    ----------
    file : file-like, optional
        Where to print; ``sys.stdout`` by default.

    See Also
    --------
    build_info : The same facts as a dictionary.

    Examples
    --------
    >>> import fastreg
    >>> fastreg.show_config()  # doctest: +SKIP
    fastreg 0.1.0
    ...
    """
    info = build_info()
    lines = [
        f"fastreg {info['version']}",
        f"  python       {info['python']} on {info['platform']}",
        f"  compiler     {info['compiler']} ({info['build_type']})",
        f"  c flags      {info['c_flags']}",
        f"  openmp       {'on' if info['openmp'] else 'off'}",
        f"  threads      {info['max_threads']} (of {info['cpu_count']} CPUs)",
        f"  simd         {info['simd']}",
    ]
    print("\n".join(lines), file=file if file is not None else sys.stdout)
