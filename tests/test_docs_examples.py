"""The docs' command-line examples print what the docs say they print (tests/docs_examples.py): a doc that drifts
from the code fails here; ``python tests/docs_examples.py`` rewrites the outputs from a run."""

import pytest
from docs_examples import DOCS, ROOT, blocks, commands, examples


def test_the_docs_have_run_examples():
    for doc in DOCS:
        runs = [b for b in blocks((ROOT / doc).read_text(encoding="utf-8")) if b.kind == "run"]
        assert len(runs) >= 4, doc
        assert all(commands(b) for b in runs), doc


@pytest.mark.parametrize("doc", DOCS)
def test_each_example_prints_what_the_doc_says(doc, tmp_path):
    for block, command, written, now in examples(doc, tmp_path):
        assert now == written, (
            f"{doc}, line {block.start + 1}: `{command}` prints otherwise now; run `python tests/docs_examples.py` "
            "and review the diff\n" + "\n".join(now)
        )
