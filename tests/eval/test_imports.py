"""Every eval script imports (a moved module breaks a benchmark that no other test runs)."""

import importlib
import pkgutil

import pytest

import eval as eval_pkg

MODULES = sorted(m.name for m in pkgutil.walk_packages(eval_pkg.__path__, "eval."))


@pytest.mark.parametrize("name", MODULES)
def test_eval_module_imports(name):
    importlib.import_module(name)
