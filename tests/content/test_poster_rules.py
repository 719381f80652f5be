"""Where the QR code, name and price may go on a poster template: a placement the rules accept
always leaves a scannable QR code wholly inside the picture, and every new background gets one
they accept."""

from hypothesis import given
from hypothesis import strategies as st

from weishang.content.poster_rules import (
    MAX_HEIGHT,
    MAX_WIDTH,
    MIN_HEIGHT,
    MIN_QR,
    MIN_WIDTH,
    Placement,
    default_placement,
    placement_problems,
    size_problem,
    valid_colour,
)

widths = st.integers(MIN_WIDTH, MAX_WIDTH)
heights = st.integers(MIN_HEIGHT, MAX_HEIGHT)
coordinates = st.integers(-50, 3100)


@given(widths, heights)
def test_every_allowed_background_gets_a_default_placement_that_fits(width, height):
    assert size_problem(width, height) == ""
    assert placement_problems(default_placement(width, height), width=width, height=height) == []


@given(
    widths,
    heights,
    st.builds(
        Placement,
        qr_x=coordinates,
        qr_y=coordinates,
        qr_size=st.integers(0, 3000),
        name_x=coordinates,
        name_y=coordinates,
        name_size=st.integers(0, 300),
        price_x=coordinates,
        price_y=coordinates,
        price_size=st.integers(0, 300),
    ),
)
def test_an_accepted_placement_keeps_a_scannable_qr_code_inside_the_picture(
    width, height, placement
):
    if not placement_problems(placement, width=width, height=height):
        assert placement.qr_size >= MIN_QR
        assert 0 <= placement.qr_x and placement.qr_x + placement.qr_size <= width
        assert 0 <= placement.qr_y and placement.qr_y + placement.qr_size <= height
        assert 0 <= placement.price_y < height and 0 <= placement.name_x < width


def test_background_sizes_outside_the_range_are_named():
    assert "at least 600 × 800" in size_problem(599, 1000)
    assert "at most 2000 × 3000" in size_problem(1000, 3001)


def test_colours_are_six_hex_digits():
    assert valid_colour("#C8242c")
    for bad in ["c8242c", "#c8242", "#c8242cc", "#c8242g", "red", "#ｃ8242c", "#c8242c\n", ""]:
        assert not valid_colour(bad), bad
