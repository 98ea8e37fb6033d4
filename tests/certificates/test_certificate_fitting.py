"""Issue 15, finding 1: any name up to 120 characters fits the certificate (app/certificates/fitting.py)."""
import pytest

from app.certificates.fitting import SIZES, SMALLEST, char_width, lines_needed, name_size


def test_finding_1_ordinary_names_keep_the_large_size():
    assert name_size("Ana Ruiz") == 34
    assert name_size("Zoë Ångström-Lindqvist") == 34


@pytest.mark.parametrize("name", ["W" * 120, "M" * 120, "w" * 120, "龍" * 120, "Ŵ" * 120, "Щ" * 120,
                                  " ".join(["Wolfgang"] * 14)[:120], "Maximilian Alexander " + "Q" * 99])
def test_finding_1_long_names_shrink_to_a_size_at_which_they_fit_their_lines(name):
    size = name_size(name)
    assert size < 34
    allowed = dict(SIZES)
    assert size in allowed and lines_needed(name, size) <= allowed[size]


def test_finding_1_sizes_only_shrink_as_names_grow():
    sizes = [name_size("W" * n) for n in range(1, 121)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 34 and sizes[-1] >= SMALLEST


def test_lines_wrap_words_at_spaces_and_long_words_anywhere():
    assert lines_needed("", 34) == 1
    assert lines_needed("Ana Ruiz", 34) == 1
    one_line_of_w = int(500 / (char_width("W") * 10))
    assert lines_needed("W" * one_line_of_w, 10, width_pt=500) == 1
    assert lines_needed("W" * (one_line_of_w + 1), 10, width_pt=500) == 2
    assert lines_needed("Ab " + "W" * one_line_of_w, 10, width_pt=500) == 2  # the long word starts a new line


def test_unmeasured_characters_are_estimated_generously():
    assert char_width("é") == char_width("e") and char_width("\u0301") == 0.0
    assert char_width("龍") == 1.0 and char_width("Щ") >= 0.8
