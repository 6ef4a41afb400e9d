"""Helpers for users' own test suites: the pytest plugin in :mod:`.plugin`.

The plugin is registered through the ``pytest11`` entry point, so installing the package (with
the ``emulator`` extra) is enough for pytest to offer its fixtures. See docs/testing.md.
"""
