# Every public name has a numpydoc docstring: summary, documented parameters and returns,
# and for the estimators and functions users meet first, See Also and Examples sections.
import inspect

import pytest
from numpydoc.validate import validate

import fastreg

# numpydoc's codes: missing docstring, undocumented/unknown parameters, parameter without
# description, no Returns section, return without description, summary formatting.
REQUIRED_EVERYWHERE = {"GL08", "PR01", "PR02", "PR07", "RT01", "RT03", "SS01", "SS03", "GL02"}
# and, on the public classes and functions themselves, See Also and Examples.
REQUIRED_ON_PUBLIC_OBJECTS = REQUIRED_EVERYWHERE | {"SA01", "EX01"}
METHODS = ("fit", "predict", "predict_proba", "predict_log_proba", "decision_function", "score")


def public_objects():
    for name in fastreg.__all__:
        obj = getattr(fastreg, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield f"fastreg.{name}"


def public_methods():
    for name in fastreg.__all__:
        cls = getattr(fastreg, name)
        if not inspect.isclass(cls):
            continue
        for method in METHODS:
            # methods fastreg defines itself (inherited scikit-learn ones are theirs)
            owners = [c for c in cls.__mro__ if method in c.__dict__]
            if owners and owners[0].__module__.startswith("fastreg"):
                yield f"fastreg.{name}.{method}"


def failures(qualified_name, required):
    errors = validate(qualified_name)["errors"]
    return [f"{code}: {message}" for code, message in errors if code in required]


@pytest.mark.parametrize("qualified_name", list(public_objects()))
def test_public_object_docstring(qualified_name):
    assert failures(qualified_name, REQUIRED_ON_PUBLIC_OBJECTS) == []


@pytest.mark.parametrize("qualified_name", list(public_methods()))
def test_public_method_docstring(qualified_name):
    assert failures(qualified_name, REQUIRED_EVERYWHERE) == []


def test_every_estimator_states_its_objective():
    for name in fastreg.__all__:
        cls = getattr(fastreg, name)
        if inspect.isclass(cls):
            assert "minimi" in cls.__doc__.lower(), f"{name} does not state its objective"
