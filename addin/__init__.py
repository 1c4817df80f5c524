"""The Excel front end: worksheet functions for xlwings (:mod:`addin.udfs`), thin hand-offs to costengine.

Imports only costengine. The setup text (``llmcost addin``, the ``xlwings.conf`` sheet) is
:mod:`workbook.xlwings_setup`, so this package does not depend on the workbook builder and vice versa.
"""
