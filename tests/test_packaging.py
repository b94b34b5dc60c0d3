# Checks on fastreg as an installed distribution: one version number, the typing marker and
# stub shipped, type hints on the public functions, the license in the metadata, and (when
# scripts/wheel_roundtrip.sh runs the suite) that the package under test is the installed
# wheel rather than the source tree.
import importlib
import importlib.metadata
import importlib.resources
import inspect
import json
import os
import pathlib
import typing

import pytest

import fastreg

DIST = importlib.metadata.distribution("fastreg")

# The public functions of DESIGN.md's API; each is checked if this build exports it.
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
    if not hasattr(fastreg, name):
        pytest.skip(f"fastreg.{name} is not exported by this build yet")
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


def test_wheel_carries_no_build_inputs():
    if _is_editable_install():
        pytest.skip("an editable install maps the source tree")
    installed = _installed_paths()
    assert not {p for p in installed if p.endswith((".pyx", ".pxd", ".c", ".h"))}
    assert any(p.startswith("fastreg/_kernels.") and p.endswith((".so", ".pyd")) for p in installed)


@pytest.mark.skipif(
    "FASTREG_SOURCE_TREE" not in os.environ,
    reason="set by scripts/wheel_roundtrip.sh when the suite runs against the installed wheel",
)
def test_package_comes_from_the_installed_wheel():
    source_tree = pathlib.Path(os.environ["FASTREG_SOURCE_TREE"]).resolve()
    package_dir = pathlib.Path(fastreg.__file__).resolve().parent
    assert not package_dir.is_relative_to(source_tree), (
        f"fastreg was imported from {package_dir}, inside the source tree {source_tree}"
    )
    assert not _is_editable_install()
    kernels = importlib.import_module("fastreg._kernels")
    assert pathlib.Path(kernels.__file__).resolve().parent == package_dir
