"""The only room that touches openpyxl's private names (pinned to a tested openpyxl range in pyproject.toml).

The fast serialiser (:mod:`.writer`), the template cache for batches (:mod:`.template_cache`), atomic writes
(:mod:`.files`), the untrusted-file reader (:mod:`.reader`), and the few cell, sheet and anchor internals
the build toolkit needs (:mod:`.cells`, :mod:`.sheets`, :mod:`.anchors`).
"""
