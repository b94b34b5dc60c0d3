# bench/config.py: the problem sizes, losses, dtypes and timing budgets of each kind of
# run (default, --full, --quick), kept in one place so a run is described by data.
from dataclasses import dataclass

# name -> (n_samples, n_features). "large" is far bigger than any L3 cache (800 MB of
# float64), "medium" (16 MB) fits in a typical server L3, "small" is iris-sized.
SIZES = {
    "tiny": (64, 4),
    "small": (150, 4),
    "medium": (20_000, 100),
    "large": (1_000_000, 100),
}

# name -> (fastreg loss code name, number of outputs/classes)
LOSSES = {
    "squared": ("LOSS_SQUARED", 1),
    "logistic": ("LOSS_LOGISTIC", 1),
    "multinomial3": ("LOSS_MULTINOMIAL", 3),
    "multinomial10": ("LOSS_MULTINOMIAL", 10),
}

DTYPES = ("float64", "float32")
THREADS = (1, 2)

# The fixed GD step of the throughput runs: small enough that no loss diverges on
# standardised data within the many epochs a small problem runs, so every run does
# exactly the epochs it is asked for.
EPOCH_LEARNING_RATE = 1e-3

# Iris fits as in the textbook: 3000 epochs of batch gradient descent, step 0.1.
IRIS_EPOCHS = 3000
IRIS_LEARNING_RATE = 0.1

SEED = 0


@dataclass
class Settings:
    """Everything one bench run does and how long it may spend on each measurement.

    Attributes
    ----------
    sizes, losses, dtypes, threads : tuple
        The grid of epoch-throughput measurements.
    target_seconds : float
        Wall time one timed fastreg measurement should take (epochs chosen to match).
    baseline_target_seconds : float
        The same for the textbook loop and the twin (slower per epoch).
    repeats, baseline_repeats, twin_repeats : int
        Timed repeats of fastreg, the textbook loop and the twin; the best is reported.
    bandwidth_bytes : int
        Size of the buffer the read-bandwidth probe streams over.
    bandwidth_repeats : int
        Repeats of the start-of-run bandwidth probe (best reported).
    probe_repeats : int
        Repeats of each probe that brackets a measurement larger than the cache.
    fused_pass_sizes : tuple
        Sizes for which a single fused pass (`_kernels.loss_gradient`) is also timed.
    iris : bool
        Run the iris fits.
    iris_repeats : int
        Repeats of each iris fit (best reported).
    """

    sizes: tuple = ("small", "medium")
    losses: tuple = tuple(LOSSES)
    dtypes: tuple = DTYPES
    threads: tuple = THREADS
    target_seconds: float = 0.15
    baseline_target_seconds: float = 0.1
    repeats: int = 3
    baseline_repeats: int = 2
    twin_repeats: int = 1
    bandwidth_bytes: int = 512 * 2**20
    bandwidth_repeats: int = 5
    probe_repeats: int = 3
    fused_pass_sizes: tuple = ("large",)
    iris: bool = True
    iris_repeats: int = 7


def default_settings():
    """Settings of a plain ``python -m bench``: about a minute on a 2-core machine."""
    return Settings()


def full_settings():
    """Settings of ``python -m bench --full``: every figure of the targets table."""
    return Settings(
        sizes=("small", "medium", "large"),
        target_seconds=0.5,
        baseline_target_seconds=0.5,
        repeats=3,
        baseline_repeats=2,
        twin_repeats=1,
    )


def quick_settings():
    """Settings of ``python -m bench --quick``: seconds, for smoke tests; numbers are rough."""
    return Settings(
        sizes=("tiny",),
        target_seconds=0.01,
        baseline_target_seconds=0.01,
        repeats=2,
        baseline_repeats=1,
        twin_repeats=1,
        bandwidth_bytes=32 * 2**20,
        bandwidth_repeats=2,
        probe_repeats=1,
        fused_pass_sizes=("tiny",),
        iris_repeats=1,
    )


WHAT_FULL_ADDS = (
    "--full adds the large size (1,000,000 x 100: epochs of every loss, dtype and thread "
    "count, and the fused pass alone, each bracketed by bandwidth probes); it takes several "
    "minutes. --peers runs the time-to-solution comparison with other libraries instead."
)

# --peers: the problem sizes (each problem defines its shapes in bench/peers/problems.py),
# the thread count every library gets, and the fitting seconds each library may spend on
# one problem at one size (its tolerance ladder and the second timing).
PEER_SIZES = ("tiny", "small", "medium", "large")
PEER_THREADS = 2
PEER_BUDGETS = {"tiny": 10.0, "small": 30.0, "medium": 90.0, "large": 300.0}
