"""The template workbook and the command line.

- :mod:`workbook.builder`: creates the sheets in their final order, fills them, writes the file.
- :mod:`workbook.sheets`: one module per sheet, each with one ``build(book, ...)``.
- :mod:`workbook.kit`: the build toolkit (the :class:`~workbook.kit.Book` that holds the build's state, cells,
  rows, styles).
- :mod:`workbook.xlsx`: the only code that touches openpyxl's private names (serialiser, template cache,
  atomic writes, the untrusted-file reader).
- :mod:`workbook.cli`: the ``llmcost`` command line (the only part that imports typer, rich or yaml).

See docs/architecture.md.
"""
