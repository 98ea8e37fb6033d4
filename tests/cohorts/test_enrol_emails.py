"""Pasted address lists for "Trainees to add" (issue 16: "not an email" was split into three words)."""
from app.cohorts.services import parse_emails


def test_lines_commas_and_semicolons_separate_addresses_and_names_in_brackets_are_read():
    emails, wrong = parse_emails("ana@example.org\nBen Okafor <Ben@Example.org>; cy@example.org,\n\nana@example.org")
    assert emails == ["ana@example.org", "ben@example.org", "cy@example.org"] and wrong == []


def test_an_entry_that_is_not_an_address_is_reported_whole():
    emails, wrong = parse_emails("not an email\nana@example.org")
    assert emails == ["ana@example.org"] and wrong == ["not an email"]
