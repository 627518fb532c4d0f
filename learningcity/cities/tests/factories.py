import factory
from factory.django import DjangoModelFactory

from learningcity.cities.models import Area, City, CityAdmin, PostcodeDistrict

_LETTERS = "ABCDEFGHJKLMNOPRSTUWYZ"


def outward_code_for(n: int) -> str:
    """A distinct, well-formed outward code (at most four characters, as the column allows) for
    every ``n`` up to 48,400: "TV0"… "TV99", then "AB0"…"""
    block = n // 100
    if block == 0:
        return f"TV{n}"
    first, second = divmod(block, len(_LETTERS))
    return f"{_LETTERS[first % len(_LETTERS)]}{_LETTERS[second]}{n % 100}"


class CityFactory(DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testville {n}")
    slug = factory.Sequence(lambda n: f"testville-{n}")
    tagline = "Learning all over town"


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        skip_postgeneration_save = True

    city = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: outward_code_for(n))
    name = factory.Sequence(lambda n: f"Ward {n}")
    kind = Area.Kind.POSTCODE_DISTRICT
    imd_decile = 5
    latitude = "50.82"
    longitude = "-0.14"
    young_population = 4000

    @factory.post_generation
    def outward_codes(obj, create, extracted, **kwargs):
        if not create:
            return
        codes = (
            extracted
            if extracted is not None
            else ([obj.code] if obj.kind == Area.Kind.POSTCODE_DISTRICT else [])
        )
        for code in codes:
            PostcodeDistrict.objects.create(city=obj.city, outward_code=code, area=obj)


class CityAdminFactory(DjangoModelFactory):
    class Meta:
        model = CityAdmin

    city = factory.SubFactory(CityFactory)
    user = factory.SubFactory("learningcity.accounts.tests.factories.UserFactory")
