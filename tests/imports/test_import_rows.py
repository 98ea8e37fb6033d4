"""Checking a people CSV: separators and the shapes spreadsheets save (issue 16, minor items)."""
from app.imports.rows import check_csv


def test_a_semicolon_separated_file_is_read_as_such():
    result = check_csv("email;name;cohort\nana@example.org;Ruiz, Ana;\n", existing={}, cohorts={})
    assert result.ok and result.rows[0].name == "Ruiz, Ana"


def test_a_tab_separated_file_is_read_as_such():
    result = check_csv("email\tname\nana@example.org\tAna Ruiz\n", existing={}, cohorts={})
    assert result.ok and result.rows[0].email == "ana@example.org"


def test_a_comma_header_keeps_semicolons_in_values():
    result = check_csv('email,name\nana@example.org,"Ana; Ruiz"\n', existing={}, cohorts={})
    assert result.ok and result.rows[0].name == "Ana; Ruiz"
