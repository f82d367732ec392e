"""Address normalization on the register's real spellings and on what people
type: both sides must meet in one form."""

import pytest

from places.addresses import normalize, query_terms


@pytest.mark.parametrize(
    ("register", "typed"),
    [
        ("г. Москва, ул. Академическая Б., д. 4", "Большая Академическая улица, 4"),
        ("г. Москва, ул. Академическая Б., д. 4", "академическая б 4"),
        ("г. Москва, ул. Академическая Б., д. 4", "ул Большая Академическая д.4"),
        ("г. Москва, ул. Профсоюзная, д. 1/2, корп. 3", "профсоюзная 1/2 к3"),
        ("г. Москва, ул. Профсоюзная, д. 1/2, корп. 3", "Профсоюзная улица, дом 1/2, корпус 3"),
        ("г. Москва, ул. Грузинская М., д. 3", "Малая Грузинская 3"),
        ("г. Москва, пер. Козихинский Б., д. 10", "Большой Козихинский переулок 10"),
        ("г. Москва, пр-кт. Мира, д. 10, к. 2", "проспект Мира 10к2"),
        ("г. Москва, ш. Энтузиастов, д. 7, стр. 1", "шоссе Энтузиастов д 7 строение 1"),
        ("г. Москва, ул. Лесная, д. 3а", "ул.Лесная,д.3а"),
        ("г. Москва, ул. Зелёная, д. 5", "зеленая 5"),
        ("г. Москва, ул. Зеленая, д. 5", "Зелёная, 5"),
    ],
)
def test_the_register_and_a_typed_address_normalize_alike(register, typed):
    assert normalize(register) == normalize(typed)


def test_normalize_keeps_the_significant_words_sorted():
    assert normalize("г. Москва, ул. Академическая Б., д. 4") == "4 академическая большая"
    assert normalize("г. Москва, ул. Профсоюзная, д. 1/2, корп. 3") == "1 2 3 корпус профсоюзная"


def test_word_order_does_not_matter():
    assert normalize("Академическая Большая 4") == normalize("4 Большая Академическая")
    assert query_terms("4 Большая Академическая") == query_terms("академическая большая 4")


def test_yo_is_e():
    assert normalize("ул. Фёдора Полетаева") == normalize("ул. Федора Полетаева") == "полетаева федора"
    assert query_terms("Щёлковское ш") == ["щелковское"]


def test_query_terms_leave_out_the_kind_of_street_and_the_city():
    assert query_terms("г. Москва, ул. Профсоюзная, д. 1/2, корп. 3") == [
        "1",
        "2",
        "3",
        "корпус",
        "профсоюзная",
    ]
    assert query_terms("улица Профсоюзная") == ["профсоюзная"]
    assert query_terms("Москва") == []


def test_different_houses_stay_different():
    assert normalize("ул. Академическая Б., д. 4") != normalize("ул. Академическая М., д. 4")
    assert normalize("ул. Академическая Б., д. 4") != normalize("ул. Академическая Б., д. 40")
    assert normalize("ул. Лесная, д. 3а") != normalize("ул. Лесная, д. 3")
