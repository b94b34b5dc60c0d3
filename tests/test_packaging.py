# Checks on fastreg as an installed distribution: one version number, the typing marker and
# stub shipped, type hints on the public functions, the license in the metadata, and that
# the package under test is the installed wheel rather than the source tree.
import importlib
import importlib.metadata
import importlib.resources
import inspect
import json
import pathlib
import typing

import pytest

import fastreg

DIST = importlib.metadata.distribution("fastreg")

# The public functions of fastreg's API.
PUBLIC_FUNCTIONS = ["sigmoid", "log_sum_exp", "softmax", "show_config"]


def _is_editable_install():
    direct_url = DIST.read_text("direct_url.json")
    if direct_url is None:
        return False
    return bool(json.loads(direct_url).get("dir_info", {}).get("editable", False))


def _installed_paths():
    return {str(path).replace("\\", "/") for path in DIST.files or ()}


def test_version_is_single_sourced():
    assert fastreg.__version__ == importlib.metadata.version("fastreg")
    assert fastreg.__version__ == DIST.metadata["Version"]


def test_show_config_reports_the_version(capsys):
    fastreg.show_config()
    assert f"fastreg {fastreg.__version__}" in capsys.readouterr().out


def test_typing_marker_and_stub_ship():
    package = importlib.resources.files("fastreg")
    assert package.joinpath("py.typed").is_file()
    assert package.joinpath("_kernels.pyi").is_file()
    if not _is_editable_install():
        installed = _installed_paths()
        assert "fastreg/py.typed" in installed
        assert "fastreg/_kernels.pyi" in installed


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_functions_have_type_hints(name):
    function = getattr(fastreg, name)
    hints = typing.get_type_hints(function)
    assert "return" in hints, f"fastreg.{name} has no return annotation"
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        assert parameter.name in hints, f"fastreg.{name}({parameter.name}) has no annotation"


def test_license_is_in_the_metadata():
    metadata = DIST.metadata
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert "LICENSE" in metadata.get_all("License-File", [])
    # Metadata 2.4 puts license files under licenses/; older tools put them beside METADATA.
    text = DIST.read_text("licenses/LICENSE") or DIST.read_text("LICENSE")
    assert text is not None, "LICENSE is not in the installed distribution"
    assert "Redistribution and use in source and binary forms" in text


SOURCE_TREE = pathlib.Path(__file__).resolve().parents[1]


def test_package_under_test_is_the_installed_one():
    """A wheel install is imported from site-packages, with its compiled module beside it
    and no build inputs; an editable install maps the package to this source tree."""
    package_dir = pathlib.Path(fastreg.__file__).resolve().parent
    kernels = importlib.import_module("fastreg._kernels")
    kernels_dir = pathlib.Path(kernels.__file__).resolve().parent
    if _is_editable_install():
        assert package_dir == SOURCE_TREE / "fastreg"
        assert kernels_dir != package_dir  # the compiled module lives in the build tree
        return
    # (the README's venv may itself live inside the checkout, so compare the package dir)
    assert package_dir != SOURCE_TREE / "fastreg", (
        f"fastreg was imported from the source tree's {package_dir}, not the installed wheel"
    )
    assert kernels_dir == package_dir
    installed = _installed_paths()
    assert not {p for p in installed if p.endswith((".pyx", ".pxd", ".c", ".h"))}
    assert any(
        p.startswith("fastreg/_kernels.") and p.endswith((".so", ".pyd")) for p in installed
    )
