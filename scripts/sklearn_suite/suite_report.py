# suite_report: turns the two runs' records into the harness's report: which tests form
# the denominator, the pass rate, failures bucketed by their first error, the deselected
# tests with their reasons; prints it and checks it against the committed minimum.
import collections
import re

PASSING = ("passed", "xpassed")
TOP_SUB_REASONS = 6
TOP_GAPS = 15


def read_deselection(path):
    """``[(pattern, reason), ...]`` from a deselection file.

    One entry a line: a test id or a pattern (``*`` matches anything), two spaces, ``#``,
    the reason. A pattern without ``[`` also matches every parametrisation of the test.
    Lines that start with ``#`` are comments.
    """
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, separator, reason = line.partition("  # ")
        if not separator or not reason.strip() or not pattern.strip():
            raise ValueError(f"{path}:{number}: expected 'TEST-ID  # reason', got {line!r}")
        entries.append((pattern.strip(), reason.strip()))
    return entries


def read_minimum(path):
    """The committed minimum pass rate, a fraction (the file holds a percentage)."""
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            return float(line.strip().rstrip("%")) / 100.0
    raise ValueError(f"{path}: no minimum pass rate (a percentage) in it")


def _compile(pattern):
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(regex if "[" in pattern else rf"{regex}(\[.*\])?")


def match_deselection(entries, sk_tests):
    """``{key: (pattern, reason)}`` for every test of the scikit-learn run deselected."""
    compiled = [(_compile(pattern), pattern, reason) for pattern, reason in entries]
    deselected = {}
    for key, test in sk_tests.items():
        for regex, pattern, reason in compiled:
            if regex.fullmatch(test["nodeid"]):
                deselected[key] = (pattern, reason)
                break
    return deselected


def outcomes(events):
    """``{key: test}`` from a run's events; a test is its last outcome and its metadata."""
    tests = {}
    used = collections.defaultdict(set)
    for event in events:
        if event["event"] == "used":
            used[event["key"]].add(event["name"])
        elif event["event"] == "collected":
            tests.setdefault(event["key"], {}).update(
                nodeid=event["nodeid"],
                unbound=event.get("unbound", []),
                fastreg_params=event.get("fastreg_params", []),
                bound_params=event.get("bound_params", []),
            )
        elif event["event"] == "end":
            test = tests.setdefault(event["key"], {"nodeid": event["nodeid"]})
            test.update(
                outcome=event["outcome"],
                error=event["error"],
                fastreg_used=event["fastreg_used"],
                seconds=event["seconds"],
            )
    for key, test in tests.items():
        for field in ("unbound", "fastreg_params", "bound_params"):
            test.setdefault(field, [])
        test.setdefault("outcome", "not run")
        test.setdefault("error", None)
        test["fastreg_used"] = sorted(used[key] | set(test.get("fastreg_used", [])))
    return tests


def unbound(events):
    """Node ids whose parameters hold scikit-learn's class of a name fastreg binds."""
    return sorted({e["nodeid"] for e in events if e["event"] == "collected" and e.get("unbound")})


def _module_of(nodeid):
    return nodeid.split("::", 1)[0]


def build(
    *,
    sk_tests,
    fr_tests,
    deselected,
    deselection,
    collect_errors,
    unbound,
    classify,
    versions,
    bound_names,
    bindings,
    seconds,
    minimum,
    binding,
    full_run,
    fastreg_run_size,
):
    """The report: every test with its status, the counts, the buckets, the rate.

    ``full_run`` is the set of module files that ran in full (none under ``--tests``):
    only their deselection entries can be stale.
    """
    broken_modules = {_module_of(e["nodeid"]) for e in collect_errors["fastreg"]}
    tests = []
    for key, sk in sorted(sk_tests.items(), key=lambda kv: kv[1]["nodeid"]):
        fr = fr_tests.get(key)
        entry = {
            "id": sk["nodeid"],
            "sklearn_outcome": sk["outcome"],
            "fastreg_outcome": fr["outcome"] if fr else "not run",
            "uses_fastreg": None,
            "status": None,
            "bucket": None,
            "sub_reason": None,
            "first_error": None,
        }
        if fr and fr["nodeid"] != sk["nodeid"]:
            entry["fastreg_id"] = fr["nodeid"]
        if key in deselected:
            entry["status"] = "deselected"
            entry["deselected_because"] = deselected[key][1]
        elif sk["outcome"] not in PASSING:
            entry["status"] = "not passing with scikit-learn"
        elif not (sk["fastreg_used"] or sk["bound_params"]):
            # Touched no scikit-learn object of a bound name, so no fastreg one either.
            entry["status"] = "does not use fastreg"
            entry["uses_fastreg"] = False
        elif fr is None or fr["outcome"] == "not run":
            if _module_of(sk["nodeid"]) in broken_modules:
                entry.update(
                    status="failed",
                    uses_fastreg=True,
                    bucket="other",
                    sub_reason="module fails to import",
                    first_error="collection error",
                )
            else:
                entry["status"] = "not found in the fastreg run"
        else:
            used = bool(fr["fastreg_used"] or fr.get("fastreg_params"))
            entry["uses_fastreg"] = used
            entry["fastreg_used"] = fr["fastreg_used"]
            ok = fr["outcome"] in PASSING
            if not used:
                entry["status"] = "does not use fastreg" + ("" if ok else " (and fails)")
            elif ok:
                entry["status"] = "passed"
            else:
                bucket, sub_reason = classify(fr)
                error = fr["error"] or {}
                entry.update(
                    status="failed",
                    bucket=bucket,
                    sub_reason=sub_reason,
                    first_error=f"{error.get('type', '?')}: {error.get('message', '')}",
                    test_line=error.get("test_line"),
                    raised_at=error.get("raised_at"),
                )
        tests.append(entry)

    status_counts = collections.Counter(t["status"] for t in tests)
    denominator = status_counts["passed"] + status_counts["failed"]
    buckets = collections.defaultdict(collections.Counter)
    for t in tests:
        if t["status"] == "failed":
            buckets[t["bucket"]][t["sub_reason"]] += 1
    by_pattern = {pattern: [] for pattern, _ in deselection}
    for key, (pattern, _) in deselected.items():
        by_pattern[pattern].append(sk_tests[key]["nodeid"])
    matched_patterns = {pattern for pattern, _ in deselected.values()}
    # An entry is stale when its module ran in full and nothing in it matched.
    stale = [
        p
        for p, _ in deselection
        if full_run and _module_of(p) in full_run and p not in matched_patterns
    ]
    return {
        "versions": versions,
        "binding": binding,
        "bound_names": bound_names,
        "bindings": {m: [list(b) for b in bs] for m, bs in bindings.items()},
        "pass_rate": status_counts["passed"] / denominator if denominator else 0.0,
        "passed": status_counts["passed"],
        "denominator": denominator,
        "minimum_pass_rate": minimum,
        "sklearn_outcomes": dict(collections.Counter(t["sklearn_outcome"] for t in tests)),
        "fastreg_outcomes": dict(
            collections.Counter(t["fastreg_outcome"] for t in tests if t["uses_fastreg"])
        ),
        "statuses": dict(status_counts),
        "buckets": {
            name: {"count": sum(subs.values()), "sub_reasons": dict(subs.most_common())}
            for name, subs in sorted(buckets.items(), key=lambda kv: -sum(kv[1].values()))
        },
        "deselected": [
            {"pattern": pattern, "reason": reason, "ids": sorted(by_pattern[pattern])}
            for pattern, reason in deselection
        ],
        "stale_deselections": stale,
        "collect_errors": collect_errors,
        "unbound_parameters": unbound,
        "seconds": seconds,
        "fastreg_run_size": fastreg_run_size,
        "tests": tests,
    }


def _counts(counter):
    return ", ".join(f"{n} {name}" for name, n in sorted(counter.items(), key=lambda kv: -kv[1]))


def print_report(report, out):
    """The human-readable summary."""
    v, s = report["versions"], report["statuses"]
    w = out.write
    w(
        f"scikit-learn {v['sklearn']} linear_model tests, fastreg {v['fastreg']} bound "
        f"({', '.join(report['bound_names'])}; binding: {report['binding']})\n"
    )
    w(f"scikit-learn run: {len(report['tests'])} tests: {_counts(report['sklearn_outcomes'])}\n")
    w("tests by status: " + _counts(s) + "\n")
    w(
        f"fastreg run: {report['fastreg_run_size']} tests (those passing with scikit-learn "
        "that touch a bound name); in the denominator: "
        f"{_counts(report['fastreg_outcomes'])}\n"
    )
    w(
        f"\npass rate: {report['passed']} / {report['denominator']} = "
        f"{100 * report['pass_rate']:.1f} %  (committed minimum "
        f"{100 * report['minimum_pass_rate']:.1f} %)\n"
    )
    w("\nfailures by first error:\n")
    for name, bucket in report["buckets"].items():
        subs = list(bucket["sub_reasons"].items())
        shown = ", ".join(f"{sub} {n}" for sub, n in subs[:TOP_SUB_REASONS])
        more = ", ..." if len(subs) > TOP_SUB_REASONS else ""
        w(f"  {name}: {bucket['count']} ({shown}{more})\n")
    gaps = sorted(
        (
            (n, name, sub)
            for name, b in report["buckets"].items()
            for sub, n in b["sub_reasons"].items()
        ),
        key=lambda gap: -gap[0],
    )
    w("\ntop gaps (tests whose first error it is):\n")
    for n, name, sub in gaps[:TOP_GAPS]:
        w(f"  {n:5d}  {sub}  [{name}]\n")
    w(f"\ndeselected: {s.get('deselected', 0)} tests\n")
    for entry in report["deselected"]:
        w(f"  {len(entry['ids']):4d}  {entry['pattern']}: {entry['reason']}\n")
    for problem in _problems(report):
        w(f"\nWARNING: {problem}\n")
    sec = report["seconds"]
    sk_time = "cached" if sec["sklearn_run_cached"] else f"{sec['sklearn_run']:.0f} s"
    w(
        f"\nwall time: scikit-learn run {sk_time}, fastreg run {sec['fastreg_run']:.0f} s, "
        f"total {sec['total']:.0f} s\n"
    )


def _problems(report):
    problems = []
    for run, errors in report["collect_errors"].items():
        for error in errors:
            problems.append(f"{run} run: {error['nodeid']} failed to collect")
    if report["unbound_parameters"]:
        ids = report["unbound_parameters"]
        problems.append(
            f"{len(ids)} tests are parametrised with scikit-learn's class of a bound name "
            f"(e.g. {ids[0]}): the binding missed them"
        )
    if report["stale_deselections"]:
        problems.append(
            "deselection entries that match no test: " + ", ".join(report["stale_deselections"])
        )
    return problems


def check(report):
    """What makes ``--check`` fail."""
    problems = []
    if report["pass_rate"] < report["minimum_pass_rate"] - 1e-12:
        problems.append(
            f"pass rate {100 * report['pass_rate']:.2f} % is below the committed minimum "
            f"{100 * report['minimum_pass_rate']:.2f} %"
        )
    if report["stale_deselections"]:
        problems.append(
            "the deselection file names tests that no longer exist: "
            + ", ".join(report["stale_deselections"])
        )
    if report["collect_errors"]["sklearn"]:
        problems.append("scikit-learn's own run had collection errors")
    if report["denominator"] == 0:
        problems.append("no test in the denominator")
    return problems
