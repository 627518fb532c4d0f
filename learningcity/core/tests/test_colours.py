import pytest

from learningcity.core.colours import contrast_ratio


def test_black_on_white_is_twenty_one_to_one():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_the_same_colour_has_no_contrast():
    assert contrast_ratio("#1d4ed8", "#1d4ed8") == pytest.approx(1.0)


def test_known_pair_matches_the_wcag_formula():
    # #767676 on white is the classic "just passes AA" grey: 4.54:1.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
