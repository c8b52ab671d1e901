"""The checks of typed text every app shares (wuyi/text.py)."""

from wuyi.text import is_mobile_phone, printable, row_id


def test_a_phone_number_is_eleven_ascii_digits_starting_with_1():
    assert is_mobile_phone("13912345678")
    assert not any(map(is_mobile_phone, ("1²²²²²²²²²²", "1٣٩١٢٣٤٥٦٧٨", "1391234567", "139123456789", "23912345678",
                                         "13912345678\n")))


def test_an_id_is_up_to_18_ascii_digits():
    assert [row_id(v) for v in ("42", "²", "١", "", "9" * 19, "-1", "42\n")] == [42, None, None, None, None, None, None]


def test_printable_text_has_no_control_character_del_or_lone_surrogate():
    assert printable("张*明 Flat 3-2") and printable("a\tb", tab=True)
    assert not any(map(printable, ("a\tb", "a\nb", "a\x00", "a\x7f", "a\ud800", "\udc80")))
