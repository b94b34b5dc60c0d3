# bench/ceiling.py: the read-bandwidth ceiling of a measurement. On a shared machine the
# bandwidth a probe reads moves while the bench runs, so a measurement over data larger
# than the last-level cache is bracketed by a probe just before and just after it, and
# its share of the bandwidth is taken against the higher of the two. A share over 100 %
# at such a size cannot be real (the probe is a pure streaming read): it is flagged as
# noise, never reported as a result. Data that fit in the cache are not bounded by DRAM
# bandwidth, so their share is shown for information only.
from bench.machine import last_level_cache_bytes, measure_bandwidth


def bracketed(measure, n_bytes, threads, settings, run_bandwidth):
    """Run ``measure()`` between two bandwidth probes when `n_bytes` exceeds the cache.

    Parameters
    ----------
    measure : callable
        The measurement; called once with no arguments.
    n_bytes : int
        Bytes one pass of the measurement reads (X's size).
    threads : int
        Threads of the measurement and of the probes.
    settings : bench.config.Settings
        ``bandwidth_bytes`` and ``probe_repeats`` of the probes.
    run_bandwidth : float or None
        The run's start-of-run probe in GB/s with `threads` threads, the ceiling of
        in-cache sizes (for information).

    Returns
    -------
    result : object
        What ``measure()`` returned.
    ceiling : dict
        ``in_cache``, ``probes_gb_per_s`` (before and after; empty in cache),
        ``gb_per_s`` (the ceiling used), ``spread_percent`` (the probes' spread).
    """
    cache = last_level_cache_bytes()
    if n_bytes <= cache:
        return measure(), {
            "in_cache": True,
            "probes_gb_per_s": [],
            "gb_per_s": run_bandwidth,
            "spread_percent": None,
        }

    def probe():
        return measure_bandwidth(settings.bandwidth_bytes, threads, settings.probe_repeats)[
            "gb_per_s"
        ]

    before = probe()
    result = measure()
    after = probe()
    high, low = max(before, after), min(before, after)
    return result, {
        "in_cache": False,
        "probes_gb_per_s": [before, after],
        "gb_per_s": high,
        "spread_percent": 100.0 * (high - low) / high,
    }


def share(gb_per_s, ceiling):
    """A measured rate against its ceiling: percent and whether it is noise.

    Parameters
    ----------
    gb_per_s : float
        Bytes of X read per second by the measurement, in GB/s.
    ceiling : dict
        As returned by `bracketed`.

    Returns
    -------
    figures : dict
        ``percent_of_bandwidth`` (None without a ceiling) and ``noise`` (True when the
        share exceeds 100 % at a size larger than the cache: the probes were slowed by
        other load, so the figure is not a result).
    """
    if not ceiling["gb_per_s"]:
        return {"percent_of_bandwidth": None, "noise": False}
    percent = 100.0 * gb_per_s / ceiling["gb_per_s"]
    return {
        "percent_of_bandwidth": percent,
        "noise": bool(not ceiling["in_cache"] and percent > 100),
    }
