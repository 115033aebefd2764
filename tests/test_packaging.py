"""Packaging: the lock agrees with pyproject's ranges, and ``icp-bot`` is ``python -m bot``."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.MULTILINE)


def project() -> dict[str, Any]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table: dict[str, Any] = pyproject["project"]
    return table


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    pins = {
        canonicalize_name(name): Version(version)
        for name, version in PIN.findall((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    }
    wanted = [*project()["dependencies"], *project()["optional-dependencies"]["test"]]
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name]), (
            f"requirements.lock pins {name}=={pins[name]} outside {requirement.specifier}: "
            "run make lock"
        )


def test_the_console_script_is_the_module_entry_point() -> None:
    module, _, function = project()["scripts"]["icp-bot"].partition(":")
    assert getattr(importlib.import_module(module), function) is main
