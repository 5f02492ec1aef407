"""A table cell that fits its column is not sent through the word wrapper (a list of 10,000 rows wrapped
every cell), and comes out exactly as the wrapper would give it (issue 18)."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from service.cli import common


def wrapped_by_textwrap(text: str, width: int) -> list[str]:
    """The wrapper every cell went through before: word by word, long words broken after @ . / _."""
    class Wrapper(textwrap.TextWrapper):
        def _split(self, chunk_text):
            chunks = []
            for chunk in super()._split(chunk_text):
                chunks += re.split(r"(?<=[@./_])(?=.)", chunk) if len(chunk) > self.width else [chunk]
            return [c for c in chunks if c]

    wrapper = Wrapper(max(width, 1), break_long_words=True, break_on_hyphens=False)
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        lines += wrapper.wrap(para) or [""]
    return lines


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .@_-\t\n\r\u00a0\u2028x")), max_size=40), st.integers(1, 40))
def test_a_cell_wraps_as_the_word_wrapper_wraps_it(text, width):
    assert common._wrap(text, width) == wrapped_by_textwrap(text, width)
