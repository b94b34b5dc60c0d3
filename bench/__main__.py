# bench/__main__.py: the command line of ``python -m bench`` (run from the repository
# root): parse the options, run, print the table, write the JSON and the PNG.
import argparse
import dataclasses
import pathlib
import sys

from bench import config


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
        description="fastreg's benchmark: epoch throughput against the NumPy reference, "
        "whole fits, and the machine's read bandwidth. " + config.WHAT_FULL_ADDS,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="everything (several minutes)")
    mode.add_argument(
        "--quick", action="store_true", help="tiny size and short timings, for smoke tests"
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: _names(s, list(config.SIZES), "size"),
        help=f"comma-separated, of {','.join(config.SIZES)} (default small,medium)",
    )
    parser.add_argument(
        "--threads",
        type=lambda s: tuple(int(t) for t in s.split(",")),
        help="comma-separated thread counts (default 1,2)",
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
    parser.add_argument(
        "--time-to-solution",
        action="store_true",
        help="also run the time-to-solution comparison (on by default only with --full)",
    )
    parser.add_argument(
        "--tts-size", choices=list(config.SIZES), help="size of the time-to-solution problem"
    )
    parser.add_argument("--no-iris", action="store_true", help="skip the iris fits")
    parser.add_argument(
        "--bandwidth-mib", type=int, help="bandwidth-probe buffer in MiB (default 512)"
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("bench/out"),
        help="directory of bench.json, bench.png and bench.txt (default bench/out/)",
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
        "tts_size": args.tts_size,
        "bandwidth_bytes": args.bandwidth_mib * 2**20 if args.bandwidth_mib else None,
        "time_to_solution": True if args.time_to_solution else None,
        "iris": False if args.no_iris else None,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if overrides and mode == "default":
        mode = "custom"
    return dataclasses.replace(settings, **overrides), mode


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
    from bench.report import format_report, plot, write_json
    from bench.runner import run

    args = parse_args(argv)
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
