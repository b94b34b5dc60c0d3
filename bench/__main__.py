# bench/__main__.py: the command line of ``python -m bench`` (run from the repository
# root): parse the options, run the epoch bench or (--peers) the comparison with other
# libraries, print the table, write the JSON and the PNG.
import argparse
import dataclasses
import os
import pathlib
import sys

from bench import config

# Thread-count variables read once by the runtimes when they load: set before any import.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


def _names(text, allowed, what):
    names = [s.strip() for s in text.split(",") if s.strip()]
    for name in names:
        if name not in allowed:
            raise argparse.ArgumentTypeError(f"unknown {what} {name!r}; choose from {allowed}")
    return tuple(names)


def parse_args(argv=None):
    """Parse the command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    args : argparse.Namespace
    """
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="fastreg's benchmark: epoch throughput and iris fits against the "
        "textbook NumPy loop, and the machine's read bandwidth; with --peers, time to "
        "solution at matched objective against scikit-learn, scikit-learn-intelex, glum and "
        "skglm. " + config.WHAT_FULL_ADDS,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="everything (several minutes)")
    mode.add_argument(
        "--quick", action="store_true", help="tiny size and short timings, for smoke tests"
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="run the comparison with other libraries instead of the epoch bench "
        f"(sizes {','.join(config.PEER_SIZES)}; default small,medium, --full adds large)",
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: _names(s, list(config.SIZES), "size"),
        help=f"comma-separated, of {','.join(config.SIZES)} (default small,medium)",
    )
    parser.add_argument(
        "--threads",
        type=lambda s: tuple(int(t) for t in s.split(",")),
        help="comma-separated thread counts (default 1,2; --peers: one count, default 2)",
    )
    parser.add_argument(
        "--losses",
        type=lambda s: _names(s, list(config.LOSSES), "loss"),
        help=f"comma-separated, of {','.join(config.LOSSES)} (default all)",
    )
    parser.add_argument(
        "--dtypes",
        type=lambda s: _names(s, list(config.DTYPES), "dtype"),
        help="comma-separated, of float64,float32 (default both)",
    )
    parser.add_argument("--no-iris", action="store_true", help="skip the iris fits")
    parser.add_argument(
        "--bandwidth-mib", type=int, help="bandwidth-probe buffer in MiB (default 512)"
    )
    parser.add_argument(
        "--problems", help="--peers: comma-separated problem names (default all registered)"
    )
    parser.add_argument(
        "--libraries", help="--peers: comma-separated library names (default all registered)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="--peers: fitting seconds each library may spend on one problem and size "
        f"(default by size: {', '.join(f'{k} {v:g}' for k, v in config.PEER_BUDGETS.items())})",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("bench/out"),
        help="directory of the JSON, PNG and text outputs (default bench/out/)",
    )
    return parser.parse_args(argv)


def settings_from_args(args):
    """The run's Settings: the preset of the mode, then the explicit options.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    settings : bench.config.Settings
    mode : str
    """
    if args.full:
        settings, mode = config.full_settings(), "full"
    elif args.quick:
        settings, mode = config.quick_settings(), "quick"
    else:
        settings, mode = config.default_settings(), "default"
    overrides = {
        "sizes": args.sizes,
        "threads": args.threads,
        "losses": args.losses,
        "dtypes": args.dtypes,
        "bandwidth_bytes": args.bandwidth_mib * 2**20 if args.bandwidth_mib else None,
        "iris": False if args.no_iris else None,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if overrides and mode == "default":
        mode = "custom"
    return dataclasses.replace(settings, **overrides), mode


def _peers_main(args):
    """``python -m bench --peers``: returns the exit status."""
    from bench.peers.report import format_peers, plot_peers
    from bench.peers.runner import library_names, problem_names, run_peers
    from bench.progress import ProgressBar
    from bench.report import write_json

    if args.sizes:
        sizes = args.sizes
    elif args.quick:
        sizes = ("tiny",)
    elif args.full:
        sizes = ("small", "medium", "large")
    else:
        sizes = ("small", "medium")
    problems = _names(args.problems, problem_names(), "problem") if args.problems else None
    libraries = _names(args.libraries, library_names(), "library") if args.libraries else None
    problems, libraries = problems or problem_names(), libraries or library_names()
    threads = args.threads[0] if args.threads else config.PEER_THREADS
    bar = ProgressBar(len(sizes) * len(problems))
    budgets = dict(config.PEER_BUDGETS)
    if args.budget:
        budgets = dict.fromkeys(sizes, args.budget)
    results = run_peers(problems, sizes, libraries, threads, budgets, bar.step)
    bar.close()
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [args.out / f"peers.{ext}" for ext in ("json", "png", "txt")]
    write_json(results, paths[0])
    plot_peers(results, paths[1])
    text = format_peers(results)
    paths[2].write_text(text + "\n")
    print(text)
    print(f"\nwrote {', '.join(map(str, paths))}")
    return 0


def main(argv=None):
    """Run the bench from the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    status : int
    """
    args = parse_args(argv)
    if args.peers:
        threads = args.threads[0] if args.threads else config.PEER_THREADS
        for name in THREAD_VARIABLES:
            os.environ[name] = str(threads)
        return _peers_main(args)

    from bench.report import format_report, plot, write_json
    from bench.runner import run

    settings, mode = settings_from_args(args)
    results = run(settings, mode=mode)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = args.out / "bench.json", args.out / "bench.png"
    text_path = args.out / "bench.txt"
    write_json(results, json_path)
    plot(results, png_path)
    text = format_report(results)
    text_path.write_text(text + "\n")
    print(text)
    print(f"\nwrote {json_path}, {png_path} and {text_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
