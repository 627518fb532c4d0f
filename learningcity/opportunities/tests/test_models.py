import pytest

from learningcity.opportunities.models import Opportunity


@pytest.mark.parametrize(
    ("min_age", "max_age", "shown"),
    [
        (11, 25, "11 to 25"),
        (18, 99, "18 and over"),
        (0, 12, "Up to 12"),
        (0, 99, "All ages"),
    ],
)
def test_the_age_range_reads_as_people_say_it(min_age, max_age, shown):
    assert Opportunity(min_age=min_age, max_age=max_age).age_range_display == shown
