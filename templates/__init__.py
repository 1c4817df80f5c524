"""Data that seeds the engine and the workbooks: hardware and open-model catalogs, example scenarios.

Every row of the catalogs carries its source and the date its figures refer to.
"""
