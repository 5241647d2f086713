import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.programs.factories import AreaFactory


@pytest.mark.django_db
def test_hero_image_without_alt_text_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        AreaFactory(hero_image="programs/areas/photo.jpg", hero_alt="")


@pytest.mark.django_db
def test_hero_image_without_alt_text_gets_a_form_error():
    area = AreaFactory.build(hero_image="programs/areas/photo.jpg", hero_alt="")
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert "hero_alt" in error.value.message_dict
