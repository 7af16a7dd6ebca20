#!/usr/bin/env python3
"""Run the plain-python tests of the Odoo addons (odoo_addon/tests_pure) without Odoo.

    /usr/bin/python3 odoo_addon/tests_pure/run.py [--summary FILE]

The Odoo tests (``<addon>/tests/``) are not collected: they need an Odoo server. With
``--summary`` the counts are written as ``passed failed skipped`` for scripts/test.sh. The exit
status is 1 when a test failed or errored, or when no test ran.
"""

import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--summary")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()

    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2 if args.verbose else 1, stream=sys.stderr).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    if args.summary:
        with open(args.summary, "w", encoding="ascii") as f:
            f.write(f"{passed} {failed} {skipped}\n")
    print(f"python: {passed} passed, {failed} failed, {skipped} skipped", file=sys.stderr)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
