"""Search result snippets start and end on whole words (issue 16: snippets were cut mid-word)."""
from app.learn.search import snippet


def test_a_snippet_starts_and_ends_on_whole_words():
    text = " ".join(f"word{i:03d}" for i in range(200)) + " clustering " + " ".join(f"tail{i:03d}" for i in range(200))
    shown = str(snippet(text, ["clustering"]))
    assert shown.startswith("… word") and shown.endswith(" …")
    body = shown.removeprefix("… ").removesuffix(" …")
    words = body.split()
    assert all(w.startswith(("word", "tail", "<mark>")) and len(w.replace("<mark>", "").replace("</mark>", "")) in (7, 10)
               for w in words), words
    assert "<mark>clustering</mark>" in body


def test_a_short_text_is_shown_whole():
    assert str(snippet("Clusters and clustering.", ["clustering"])) == "Clusters and <mark>clustering</mark>."
