"""Docstring examples of the installed package run as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import skalocc

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(skalocc.__path__, "skalocc.")
    if not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"


def test_public_api_has_examples():
    finder = doctest.DocTestFinder()
    tests = finder.find(skalocc.ALOCCDetector)
    assert any(t.examples for t in tests)
