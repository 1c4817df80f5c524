"""The Excel front end: worksheet functions for xlwings (:mod:`addin.udfs`) and their setup (:mod:`addin.install`).

Importing this package imports nothing else, so ``addin.install`` stays cheap for the CLI.
"""
