"""One module per sheet of the template workbook, each with one ``build(book, ...)`` that fills its sheet.

The builder (:mod:`workbook.builder`) creates the sheets in tab order and calls these in dependency order.
"""
