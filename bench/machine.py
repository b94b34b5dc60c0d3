# bench/machine.py: what the bench ran on (CPU, memory, OS, Python, NumPy and its BLAS,
# fastreg's build) and the machine's read bandwidth, measured with fastreg's compiled
# streaming-read kernel over a buffer far larger than the last-level cache.
import os
import platform
import sys

import numpy as np


def _read_first(path, prefix):
    """Value after ':' of the first line of `path` starting with `prefix`, or None."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _blas_info():
    """NumPy's BLAS as threadpoolctl sees it (library, version, threads, architecture)."""
    from threadpoolctl import threadpool_info

    return [
        {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "architecture")}
        for pool in threadpool_info()
        if pool.get("user_api") == "blas"
    ]


def describe_machine():
    """Describe the machine, Python, NumPy, its BLAS and fastreg's build.

    Returns
    -------
    description : dict
        JSON-ready: ``cpu_model``, ``cpu_count``, ``usable_cpus``, ``l3_cache``,
        ``memory_bytes``, ``os``, ``python``, ``numpy``, ``blas`` (list of dicts),
        ``sklearn``, ``fastreg`` (the dict of ``fastreg._config.build_info()``).
    """
    import sklearn

    from fastreg._config import build_info

    memory_kb = _read_first("/proc/meminfo", "MemTotal")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": _read_first("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "l3_cache": _read_text("/sys/devices/system/cpu/cpu0/cache/index3/size"),
        "memory_bytes": int(memory_kb.split()[0]) * 1024 if memory_kb else None,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": _blas_info(),
        "sklearn": sklearn.__version__,
        "fastreg": build_info(),
    }


def last_level_cache_bytes():
    """Size of the largest CPU cache in bytes (from sysfs; 32 MiB when it cannot be read)."""
    sizes = []
    for index in range(8):
        text = _read_text(f"/sys/devices/system/cpu/cpu0/cache/index{index}/size")
        if text:
            scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
            sizes.append(int(text.rstrip("KMG")) * scale)
    return max(sizes, default=32 * 2**20)


_PROBE_BUFFERS = {}


def measure_bandwidth(n_bytes, threads, repeats):
    """Read bandwidth of this machine with `threads` threads, in GB/s (1e9 bytes/s).

    Streams once over a float64 buffer of `n_bytes` with ``fastreg._kernels.stream_read``
    per repeat and keeps the fastest. The buffer is written first so that its pages are
    mapped before timing; the buffer is kept for the next probe.

    Parameters
    ----------
    n_bytes : int
        Buffer size; make it far larger than the last-level cache (>= 512 MiB).
    threads : int
        Threads the kernel reads with.
    repeats : int
        Timed reads; the fastest is reported.

    Returns
    -------
    result : dict
        ``threads``, ``buffer_bytes``, ``seconds`` (best read) and ``gb_per_s``.
    """
    from threadpoolctl import threadpool_limits

    from bench.timing import best_time
    from fastreg import _kernels

    if n_bytes not in _PROBE_BUFFERS:  # one buffer per size, reused by every probe
        _PROBE_BUFFERS[n_bytes] = np.ones(n_bytes // 8)
    data = _PROBE_BUFFERS[n_bytes]
    with threadpool_limits(limits=threads):
        _kernels.stream_read(data, threads)  # warm-up
        seconds, _ = best_time(lambda: _kernels.stream_read(data, threads), repeats)
    return {
        "threads": threads,
        "buffer_bytes": data.nbytes,
        "seconds": seconds,
        "gb_per_s": data.nbytes / seconds / 1e9,
    }
