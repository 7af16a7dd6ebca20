"""Import paths for the plain-python tests.

The addon packages import Odoo in their ``__init__``, so the tests import the pure parts
(``keybridge_base/client`` and ``keybridge_base/logic``) as top-level packages ``client`` and
``logic`` instead, and load single files (the in-memory KeyBridge) by path.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ADDONS = os.path.dirname(HERE)
BASE = os.path.join(ADDONS, "keybridge_base")

if BASE not in sys.path:
    sys.path.insert(0, BASE)


def load_file(name, relative_path):
    """Import one file of the addons (relative to odoo_addon/) as module ``name``."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, os.path.join(ADDONS, relative_path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def memory_keybridge():
    return load_file("kb_memory_keybridge", "keybridge_base/tests/memory_keybridge.py")
