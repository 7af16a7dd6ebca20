"""Static checks of the addons that need no Odoo: every Python file compiles, every XML file
parses, manifests and the OCA layout are complete, the pure modules import no Odoo, the Odoo
tests are tagged for post-install runs, and views only name fields their models define."""

import ast
import csv
import glob
import os
import re
import unittest
import xml.etree.ElementTree as ET

import _paths

ADDONS = ["keybridge_base", "g2p_encryption_keybridge"]
ROOT = _paths.ADDONS
PURE_DIRS = ["keybridge_base/client", "keybridge_base/logic"]


def files(pattern):
    return sorted(glob.glob(os.path.join(ROOT, "**", pattern), recursive=True))


def manifest(addon):
    with open(os.path.join(ROOT, addon, "__manifest__.py"), encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def model_fields(addon):
    """{model name: set of field names} from the addon's model classes (by AST)."""
    out = {}
    for path in glob.glob(os.path.join(ROOT, addon, "models", "*.py")):
        tree = ast.parse(open(path, encoding="utf-8").read())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            name, names = None, set()
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    target = stmt.targets[0].id
                    if target in ("_name", "_inherit") and isinstance(stmt.value, ast.Constant):
                        name = name or stmt.value.value
                    elif isinstance(stmt.value, ast.Call) and getattr(stmt.value.func, "attr", "")[:1].isupper():
                        names.add(target)
            if name:
                out.setdefault(name, set()).update(names)
    return out


class AddonStaticTests(unittest.TestCase):
    def test_every_python_file_compiles(self):
        paths = files("*.py")
        self.assertGreater(len(paths), 20)
        for path in paths:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                compile(open(path, encoding="utf-8").read(), path, "exec")

    def test_every_xml_file_parses(self):
        paths = files("*.xml")
        self.assertGreaterEqual(len(paths), 6)
        for path in paths:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                self.assertEqual(ET.parse(path).getroot().tag, "odoo")

    def test_manifests(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                m = manifest(addon)
                self.assertRegex(m["version"], r"^17\.0\.\d+\.\d+\.\d+$")
                self.assertIn(m["license"], ("LGPL-3", "AGPL-3"))
                self.assertTrue(m["installable"])
                for data in m.get("data", []):
                    self.assertTrue(os.path.isfile(os.path.join(ROOT, addon, data)), data)
        self.assertEqual(manifest("keybridge_base")["depends"], ["base", "contacts"])
        self.assertEqual(manifest("g2p_encryption_keybridge")["depends"], ["g2p_encryption", "keybridge_base"])

    def test_oca_layout(self):
        for addon in ADDONS:
            for part in ("__init__.py", "models/__init__.py", "views", "security/ir.model.access.csv", "data",
                         "tests/__init__.py", "readme/DESCRIPTION.md", "readme/USAGE.md"):
                with self.subTest(addon=addon, part=part):
                    self.assertTrue(os.path.exists(os.path.join(ROOT, addon, part)))
        self.assertTrue(os.path.isfile(os.path.join(ROOT, "keybridge_base", "data", "neutralize.sql")))

    def test_neutralize_wipes_secret_and_url(self):
        sql = open(os.path.join(ROOT, "keybridge_base", "data", "neutralize.sql"), encoding="utf-8").read().lower()
        self.assertRegex(sql, r"update\s+keybridge_backend")
        self.assertRegex(sql, r"client_secret\s*=\s*null")
        self.assertRegex(sql, r"url\s*=\s*null")

    def test_access_files_name_known_models(self):
        for addon in ADDONS:
            with open(os.path.join(ROOT, addon, "security", "ir.model.access.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertTrue(rows)
            for row in rows:
                self.assertEqual(set(row), {"id", "name", "model_id:id", "group_id:id", "perm_read", "perm_write", "perm_create", "perm_unlink"})
                self.assertTrue(row["model_id:id"].split(".")[-1].startswith("model_keybridge_"))

    def test_backend_is_editable_by_system_administrators_only(self):
        with open(os.path.join(ROOT, "keybridge_base", "security", "ir.model.access.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["model_id:id"] == "model_keybridge_backend"]
        writers = {r["group_id:id"] for r in rows if "1" in (r["perm_write"], r["perm_create"], r["perm_unlink"])}
        self.assertEqual(writers, {"base.group_system"})
        source = open(os.path.join(ROOT, "keybridge_base", "models", "keybridge_backend.py"), encoding="utf-8").read()
        self.assertRegex(source, r'client_secret = fields\.Char\(\s*groups="base\.group_system"')
        views = open(os.path.join(ROOT, "keybridge_base", "views", "keybridge_backend_views.xml"), encoding="utf-8").read()
        self.assertNotIn('name="client_secret"', views, "the stored secret is never put in a view")
        self.assertRegex(views, r'name="new_client_secret" password="True"')

    def test_pure_modules_do_not_import_odoo(self):
        for directory in PURE_DIRS:
            for path in glob.glob(os.path.join(ROOT, directory, "*.py")):
                with self.subTest(path=os.path.relpath(path, ROOT)):
                    tree = ast.parse(open(path, encoding="utf-8").read())
                    for node in ast.walk(tree):
                        if isinstance(node, ast.Import):
                            self.assertFalse(any(a.name.split(".")[0] == "odoo" for a in node.names))
                        elif isinstance(node, ast.ImportFrom):
                            self.assertNotEqual((node.module or "").split(".")[0], "odoo")

    def test_odoo_tests_are_post_install_transaction_cases(self):
        for addon in ADDONS:
            init = open(os.path.join(ROOT, addon, "tests", "__init__.py"), encoding="utf-8").read()
            paths = glob.glob(os.path.join(ROOT, addon, "tests", "test_*.py"))
            self.assertTrue(paths, addon)
            for path in paths:
                module = os.path.splitext(os.path.basename(path))[0]
                with self.subTest(path=os.path.relpath(path, ROOT)):
                    self.assertIn(f"from . import {module}", init)
                    source = open(path, encoding="utf-8").read()
                    self.assertIn('@tagged("post_install", "-at_install")', source)
                    self.assertRegex(source, r"class \w+\((TransactionCase|\w+Case)\)")

    def test_views_name_only_defined_fields(self):
        known = {}
        for addon in ADDONS:
            for model, names in model_fields(addon).items():
                known.setdefault(model, set()).update(names)
        magic = {"id", "display_name", "create_date", "write_date"}
        for addon in ADDONS:
            for path in glob.glob(os.path.join(ROOT, addon, "views", "*.xml")):
                for record in ET.parse(path).getroot().iter("record"):
                    if record.get("model") != "ir.ui.view":
                        continue
                    model = record.findtext("field[@name='model']")
                    if model not in known or record.find("field[@name='inherit_id']") is not None:
                        continue
                    arch = record.find("field[@name='arch']")
                    for field in (f for child in arch for f in child.iter("field")):
                        with self.subTest(view=record.get("id"), field=field.get("name")):
                            self.assertIn(field.get("name"), known[model] | magic)

    def test_pyflakes_finds_no_undefined_or_unused_names(self):
        # No Odoo runs here: pyflakes catches the typos an import would (undefined names,
        # redefinitions, unused variables). Re-exports in __init__ files and the tests' path
        # setup are the only unused imports allowed.
        try:
            from pyflakes import api, reporter
        except ImportError:
            self.skipTest("python3-pyflakes is not installed")
        import io

        out = io.StringIO()
        api.checkRecursive([ROOT], reporter.Reporter(out, out))
        problems = [
            line
            for line in out.getvalue().splitlines()
            if not (("__init__.py" in line or "'_paths' imported" in line) and "imported but unused" in line)
        ]
        self.assertEqual(problems, [])

    def test_no_secret_or_plaintext_is_logged(self):
        for path in files("*.py"):
            source = open(path, encoding="utf-8").read()
            for call in re.findall(r"_logger\.\w+\((.*?)\)\n", source, re.S):
                with self.subTest(path=os.path.relpath(path, ROOT)):
                    self.assertNotRegex(call, r"secret|plaintext|token\b|vals\b")


if __name__ == "__main__":
    unittest.main()
