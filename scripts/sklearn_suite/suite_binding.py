# suite_binding: rewrites a copy of one of scikit-learn's test modules so that the names
# it imports from sklearn.linear_model which fastreg also exports are fastreg's, in that
# module's namespace only (scikit-learn's own modules keep their classes).
#
# Design decisions:
#   a. The rewrite appends a rebinding statement right after each import statement, on
#      the same line (`from sklearn.linear_model import Ridge; Ridge = ...`): line numbers
#      stay those of scikit-learn's file, so tracebacks and first-error lines point at
#      scikit-learn's source, and decorators that build parameters at import time
#      (`parametrize("est", [Ridge(), ...])`) already see fastreg's class.
#   b. Module imports get a view instead of the module: `from sklearn import linear_model`,
#      `import sklearn.linear_model as lm` and `import sklearn` bind a module whose
#      fastreg names are fastreg's and whose other attributes are scikit-learn's, so
#      `linear_model.Ridge` and `sklearn.linear_model.Ridge` are fastreg's too.
#   c. Which names: the intersection of `fastreg.__all__` with sklearn.linear_model's
#      names, computed when the harness runs, so names fastreg adds are bound unasked.
import ast

_PLUGIN = '__import__("suite_plugin")'
_LINEAR_MODEL_VIEW = "<view of sklearn.linear_model>"
_SKLEARN_VIEW = "<view of sklearn>"


def _expression(target):
    """Source text that evaluates to the object bound for ``target``."""
    if target == _LINEAR_MODEL_VIEW:
        return f"{_PLUGIN}.linear_model_view()"
    if target == _SKLEARN_VIEW:
        return f"{_PLUGIN}.sklearn_view()"
    return f"{_PLUGIN}.fastreg_object({target!r})"


def _bindings_for(node, names):
    """``[(local name, target), ...]`` that must follow the import ``node``.

    A target is a fastreg name or one of the two module views.
    """
    bindings = []
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        if node.module == "sklearn.linear_model":
            for alias in node.names:
                if alias.name == "*":
                    bindings += [(name, name) for name in names]
                elif alias.name in names:
                    local = alias.asname or alias.name
                    bindings.append((local, alias.name))
        elif node.module == "sklearn":
            for alias in node.names:
                if alias.name == "linear_model":
                    local = alias.asname or alias.name
                    bindings.append((local, _LINEAR_MODEL_VIEW))
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname and alias.name == "sklearn.linear_model":
                bindings.append((alias.asname, _LINEAR_MODEL_VIEW))
            elif alias.asname and alias.name == "sklearn":
                bindings.append((alias.asname, _SKLEARN_VIEW))
            elif not alias.asname and (
                alias.name == "sklearn" or alias.name.startswith("sklearn.")
            ):
                bindings.append(("sklearn", _SKLEARN_VIEW))
    return bindings


def rewrite_source(source, names):
    """Return ``source`` with fastreg's objects bound after each matching import.

    Parameters
    ----------
    source : str
        The text of a test module.
    names : iterable of str
        The names to bind to fastreg's objects of the same name.

    Returns
    -------
    rewritten : str
        The module with rebinding statements appended to the import lines; every other
        line unchanged and in place.
    bindings : list of (int, str, str)
        ``(line, local name, target)`` for each rebinding made; the target is the fastreg
        name or ``<view of sklearn.linear_model>`` / ``<view of sklearn>``.
    """
    names = sorted(set(names))
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inserts = []  # (line index, column, text)
    bindings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        pairs = _bindings_for(node, names)
        if not pairs:
            continue
        text = "".join(f"; {local} = {_expression(target)}" for local, target in pairs)
        inserts.append((node.end_lineno - 1, node.end_col_offset, text))
        bindings += [(node.lineno, local, target) for local, target in pairs]
    # Right to left within a line, bottom to top overall, so offsets stay valid.
    for index, column, text in sorted(inserts, reverse=True):
        line = lines[index].encode()
        lines[index] = (line[:column] + text.encode() + line[column:]).decode()
    rewritten = "".join(lines)
    ast.parse(rewritten)  # the rewrite must still be valid Python
    return rewritten, sorted(bindings)
