# bench/timing.py: how the bench times things. Best (shortest) of a few repeats, since
# on a shared machine noise only ever adds time; and repeat counts chosen from a first
# short run so that each timed call lasts about a target wall time.
import time


def best_time(run, repeats):
    """Shortest wall time of `repeats` calls of ``run()``.

    Parameters
    ----------
    run : callable
        Called with no arguments; its return value is kept from the fastest call.
    repeats : int
        Number of timed calls (>= 1).

    Returns
    -------
    seconds : float
        The shortest wall time.
    result : object
        What the fastest call returned.
    """
    best, best_result = float("inf"), None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, best_result = elapsed, result
    return best, best_result


def count_for(seconds_per_unit, target_seconds, low=1, high=10**6):
    """How many units (epochs, passes) make a measurement last about `target_seconds`.

    Parameters
    ----------
    seconds_per_unit : float
        Time of one unit from a short calibration run.
    target_seconds : float
        Wanted duration of one timed measurement.
    low, high : int
        Bounds on the count.

    Returns
    -------
    count : int
    """
    if seconds_per_unit <= 0:
        return high
    return int(min(high, max(low, round(target_seconds / seconds_per_unit))))
