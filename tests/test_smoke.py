import pytest

from places.models import Building, District, Okrug


@pytest.mark.django_db
def test_reference_data_is_loaded_for_tests():
    assert Okrug.objects.count() == 12
    assert District.objects.count() == 146
    assert Building.objects.count() > 32000
