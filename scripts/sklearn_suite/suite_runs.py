# suite_runs: lays out a run directory (copies of scikit-learn's test modules, rewritten
# for the fastreg run) and runs pytest on it in a subprocess that a hang or a crash cannot
# take down with it: the plugin records every test as it goes, a watchdog kills a process
# that stops making progress, and the run resumes after the test that was running, which
# is recorded as a timeout or a crash.
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

from suite_binding import rewrite_source

HERE = pathlib.Path(__file__).resolve().parent
PYTEST_INI = """\
[pytest]
addopts = -p no:cacheprovider --import-mode=importlib -p sklearn.conftest
    -p suite_plugin -p no:hypothesispytest --continue-on-collection-errors --tb=native
"""
# Extra seconds past the per-test timeout before the watchdog assumes a hang that
# pytest-timeout's signal could not interrupt (a C loop that never returns to Python).
WATCHDOG_GRACE = 60.0


def lay_out(run_dir, sources, *, bind_names=None):
    """Copy the test modules ``sources`` into ``run_dir``; rewrite them if asked.

    Parameters
    ----------
    run_dir : pathlib.Path
        A new, empty directory.
    sources : list of pathlib.Path
        The installed test modules.
    bind_names : list of str or None
        Bind these names to fastreg's objects in every copy (None: plain copies).

    Returns
    -------
    bindings : dict
        Per module file name, the ``(line, local name, target)`` rebindings.
    """
    run_dir.mkdir(parents=True)
    (run_dir / "pytest.ini").write_text(PYTEST_INI)
    bindings = {}
    for source in sources:
        text = source.read_text()
        if bind_names is not None:
            text, bindings[source.name] = rewrite_source(text, bind_names)
        (run_dir / source.name).write_text(text)
    return bindings


def read_record(path):
    """The events of a record file, in order (a torn last line is dropped)."""
    events = []
    if not path.exists():
        return events
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return events


def _append(path, record):
    with open(path, "a") as handle:
        handle.write(json.dumps(record) + "\n")


def run_pytest(
    run_dir,
    targets,
    record,
    log,
    *,
    timeout,
    grace=WATCHDOG_GRACE,
    extra_args=(),
    max_restarts=200,
):
    """Run pytest on ``targets`` in ``run_dir`` until every selected test has an outcome.

    Parameters
    ----------
    run_dir : pathlib.Path
        Directory made by :func:`lay_out`.
    targets : list of str
        Test files or node ids, relative to ``run_dir``.
    record : pathlib.Path
        The plugin's JSON-lines record (appended to).
    log : pathlib.Path
        pytest's console output (appended to).
    timeout : float
        Seconds a test may take (pytest-timeout); a test still running ``grace`` seconds
        later is killed with its process, which is then started again.
    grace : float
        See ``timeout``.
    extra_args : sequence of str
        More pytest arguments (the plugin's options).
    max_restarts : int
        Give up after this many restarts (each one follows a crash or a hang).

    Returns
    -------
    attempts : int
        How many pytest processes it took.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    done_file = run_dir / "done-keys.txt"
    for attempt in range(1, max_restarts + 2):
        events = read_record(record)
        done = {e["key"] for e in events if e["event"] == "end"}
        done_file.write_text("".join(f"{key}\n" for key in sorted(done)))
        command = [
            sys.executable,
            "-m",
            "pytest",
            *targets,
            "-q",
            "-rN",
            f"--timeout={timeout:g}",
            "--timeout-method=signal",
            f"--suite-record={record}",
            f"--suite-done={done_file}",
            *extra_args,
        ]
        with open(log, "a") as out:
            out.write(f"\n#### attempt {attempt}: {' '.join(command)}\n")
            out.flush()
            process = subprocess.Popen(
                command,
                cwd=run_dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            hung = _watch(process, record, timeout + grace)
        events = read_record(record)
        ended = {e["key"] for e in events if e["event"] == "end"}
        running = [e for e in events if e["event"] == "start" and e["key"] not in ended]
        if not hung and process.returncode in (0, 1, 5):
            return attempt
        if not running:
            raise RuntimeError(
                f"pytest in {run_dir} exited with status {process.returncode} outside any "
                f"test (see {log})"
            )
        last = running[-1]
        if hung:
            error = f"no progress {timeout + grace:g} s into the test: killed"
            outcome = "timeout"
        else:
            error = f"the test process died (exit status {process.returncode})"
            outcome = "crash"
        _append(
            record,
            {
                "event": "end",
                "key": last["key"],
                "nodeid": last["nodeid"],
                "outcome": outcome,
                "error": {"type": outcome.capitalize(), "message": error, "phase": "call"},
                "fastreg_used": [],
                "seconds": None,
            },
        )
    raise RuntimeError(f"pytest in {run_dir} needed more than {max_restarts} restarts")


def _test_running(record):
    """Whether the record's last event is a test's start (a test is running now)."""
    if not record.exists():
        return False
    with open(record, "rb") as handle:
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - 65536))
        lines = handle.read().splitlines()
    try:
        return bool(lines) and json.loads(lines[-1])["event"] in ("start", "used")
    except (json.JSONDecodeError, KeyError):
        return False  # a line being written


def _watch(process, record, patience):
    """Wait for ``process``; kill its process group if a test runs past ``patience``.

    Collection and the session's end are not timed (a test's start is what arms the
    watchdog). Returns whether it killed the process.
    """
    last_size, last_change = -1, time.monotonic()
    while process.poll() is None:
        size = record.stat().st_size if record.exists() else 0
        now = time.monotonic()
        if size != last_size:
            last_size, last_change = size, now
        elif now - last_change > patience and _test_running(record):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.25)
    return False
