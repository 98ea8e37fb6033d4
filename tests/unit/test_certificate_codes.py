import re

from app.certificates.codes import format_code, new_code, normalise


def test_codes_are_grouped_random_and_self_checking():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z*~$=]", code)
        assert normalise(code) == code.replace("-", "")


def test_lookups_ignore_case_dashes_and_lookalikes():
    code = new_code()
    canonical = code.replace("-", "")
    assert normalise(code.lower()) == canonical
    assert normalise(" " + canonical + " ") == canonical
    assert normalise(code.replace("0", "o").replace("1", "l")) == canonical


def test_typos_are_caught_by_the_check_symbol():
    code = new_code().replace("-", "")
    swapped = code[1] + code[0] + code[2:]
    wrong = ("1" if code[5] != "1" else "2").join([code[:5], code[6:]])
    assert (swapped == code) or normalise(swapped) is None
    assert normalise(wrong) is None
    assert normalise("") is None and normalise("ABC") is None and normalise("U" * 17) is None


def test_format():
    assert format_code("ABCDEFGHJKMNPQRS7") == "ABCD-EFGH-JKMN-PQRS-7"
