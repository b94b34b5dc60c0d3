# suite_classify: puts a failed test of the fastreg run into a bucket by its first error
# (the exception that ended it), with a sub-reason that says which gap to close: the
# solver name, the parameter or attribute, the estimator that rejected sparse X or 2-D y,
# the warning that was expected, the test whose numbers differ.
import re

BUCKETS = (
    "unsupported solver name",
    "unknown parameter or attribute",
    "sparse input rejected",
    "2-D y rejected",
    "wrong answer (assertion error)",
    "message or warning mismatch",
    "other",
)

_SOLVER = re.compile(
    r"solver\b.*?got '([^']+)'|solver '?([a-z_-]+)'? (?:is )?not supported", re.IGNORECASE
)
_KEYWORD = re.compile(r"(\w+)(?:\.(\w+))?\(\) got an unexpected keyword argument '(\w+)'")
_INVALID = re.compile(r"Invalid parameter '(\w+)' for estimator (\w+)")
_ATTRIBUTE = re.compile(r"'(\w+)' object has no attribute '(\w+)'")
_WARNING_TYPE = re.compile(r"No warnings of type \(?<class '(?:[\w.]+\.)?(\w+)'>")
_RAISE_TYPE = re.compile(r"DID NOT RAISE.*?<class '(?:[\w.]+\.)?(\w+)'>")
_ONE_D_Y = re.compile(r"\by\b.*\b1d array|column-vector y|y must be 1")
_INNER_ERROR = re.compile(r"^(\w+(?:Error|Exception|Warning)): (.+)$", re.MULTILINE)


def _estimator(test, named=None):
    """The fastreg estimator a failure belongs to (the one named, else the one fitted)."""
    used = test.get("fastreg_used") or []
    classes = sorted({u.split(".")[0] for u in used if "." in u})
    fitted = sorted({u.split(".")[0] for u in used if u.endswith(".fit")})
    if named and not named.startswith("_") and named in [*classes, "LassoMock"]:
        return named
    return "/".join(fitted or classes) or "?"


def _normalised(text, limit=60):
    text = re.sub(r"0x[0-9a-f]+", "0x...", text)
    text = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
    return text[:limit]


def _inner_error(error):
    """For 'All the N fits failed' (cross-validation), the error inside the fits."""
    if "fits failed" not in error.get("message", ""):
        return error
    found = _INNER_ERROR.findall(error.get("full_message", ""))
    if not found:
        return error
    kind, message = found[-1]
    return dict(error, type=kind, message=message, full_message=message)


def classify(test):
    """``(bucket, sub_reason)`` of a test that failed in the fastreg run.

    Parameters
    ----------
    test : dict
        The fastreg run's record of the test: ``outcome``, ``error`` (``type``,
        ``message``, ``full_message``) and ``fastreg_used``.

    Returns
    -------
    bucket : str
        One of ``BUCKETS``.
    sub_reason : str
        What in particular (solver name, parameter, estimator, test function, ...).
    """
    if test["outcome"] in ("timeout", "crash"):
        return "other", test["outcome"]
    error = _inner_error(test.get("error") or {})
    kind, message = error.get("type", "?"), error.get("message", "")
    full = error.get("full_message", message)
    if kind == "Skipped":
        return "other", "skipped in the fastreg run"
    if kind == "Failed" and "Timeout" in message and "pytest-timeout" in message:
        return "other", "timeout"

    match = _SOLVER.search(message)
    if match and kind in ("ValueError", "InvalidParameterError"):
        return "unsupported solver name", match.group(1) or match.group(2)

    match = _KEYWORD.search(message)
    if match and kind == "TypeError":
        owner, method, keyword = match.groups()
        if method is None:  # a function
            return "unknown parameter or attribute", f"{owner}({keyword}=)"
        name = _estimator(test, owner)
        if method == "__init__":
            return "unknown parameter or attribute", f"{name}({keyword}=)"
        return "unknown parameter or attribute", f"{name}.{method}({keyword}=)"
    match = _INVALID.search(message)
    if match and kind == "ValueError":
        return "unknown parameter or attribute", f"{match.group(2)}({match.group(1)}=)"
    match = _ATTRIBUTE.search(message)
    if match and kind == "AttributeError":
        owner, attribute = match.groups()
        if _estimator(test, owner) == owner:
            return "unknown parameter or attribute", f"{owner}.{attribute}"

    if kind in ("TypeError", "ValueError") and re.search(r"\bsparse\b", message, re.IGNORECASE):
        return "sparse input rejected", _estimator(test)
    if kind == "ValueError" and _ONE_D_Y.search(message):
        return "2-D y rejected", _estimator(test)

    if "DID NOT WARN" in message or "warnings emitted" in message:
        match = _WARNING_TYPE.search(full)
        return "message or warning mismatch", (
            f"no {match.group(1)}" if match else "warning message differs"
        )
    if "DID NOT RAISE" in message:
        match = _RAISE_TYPE.search(full)
        return "message or warning mismatch", f"no {match.group(1) if match else 'exception'}"
    if kind == "AssertionError" and "Regex pattern did not match" in message:
        return "message or warning mismatch", "error message differs"
    if kind.endswith("Warning"):
        return "message or warning mismatch", f"unexpected {kind}"

    if kind == "AssertionError":
        return "wrong answer (assertion error)", test["nodeid"].split("::")[-1].split("[")[0]
    return "other", _normalised(f"{kind}: {message}")
