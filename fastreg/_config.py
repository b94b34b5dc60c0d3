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
        ``build_type``, ``openmp`` (bool), ``max_threads`` (threads a fit asks for when
        ``n_jobs=None``), ``simd`` (widest instruction set the kernels use here),
        ``cpu_count`` and ``serial_after_fork`` (bool: this process was forked, directly
        or through forked ancestors, after the kernels had started threads, so they run
        serially here, with the same results; OpenMP's thread pool does not survive
        ``fork()``).
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
    """Print fastreg's version, build flags, OpenMP, threads, SIMD level and fork rule.

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
    if not info["openmp"]:
        fork = "nothing to lose in a forked child (no threads without OpenMP)"
    else:
        here = "such a child" if info["serial_after_fork"] else "not such a child"
        fork = (
            "a child forked after the kernels started threads runs them serially"
            f" (this process: {here})"
        )
    threads = f"{info['max_threads']} (of {info['cpu_count']} CPUs)"
    if info["serial_after_fork"]:
        threads = (
            f"1 in this forked child (OpenMP's limit: {info['max_threads']},"
            f" of {info['cpu_count']} CPUs)"
        )
    lines = [
        f"fastreg {info['version']}",
        f"  python       {info['python']} on {info['platform']}",
        f"  compiler     {info['compiler']} ({info['build_type']})",
        f"  c flags      {info['c_flags']}",
        f"  openmp       {'on' if info['openmp'] else 'off'}",
        f"  threads      {threads}",
        f"  simd         {info['simd']}",
        f"  fork         {fork}",
    ]
    print("\n".join(lines), file=file if file is not None else sys.stdout)
