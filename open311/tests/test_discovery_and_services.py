"""Discovery, the service list and service definitions, in XML and JSON."""

import pytest

from issues.models import Topic, TopicGroup, TopicQuestion
from open311.tests.conftest import FORMATS, body, errors, url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_this_endpoint_with_both_formats(client, fmt):
    response = client.get(url("discovery", fmt))
    assert response.status_code == 200
    doc = body(response)
    if fmt == "json":
        assert set(doc) == {"changeset", "contact", "key_service", "endpoints"}
        (endpoint,) = doc["endpoints"]
        assert endpoint == {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": doc["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    else:
        assert doc.tag == "discovery"
        assert [c.tag for c in doc] == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = doc.find("endpoints/endpoint")
        assert endpoint.findtext("url") == "http://testserver/open311/v2"
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def changeset(client, fmt="json") -> str:
    doc = body(client.get(url("discovery", fmt)))
    if fmt == "json":
        assert doc["endpoints"][0]["changeset"] == doc["changeset"]
        return doc["changeset"]
    assert doc.findtext("endpoints/endpoint/changeset") == doc.findtext("changeset")
    return doc.findtext("changeset")


def test_discovery_changeset_is_sortable_and_the_same_in_both_formats(client, topic):
    first = changeset(client)
    assert len(first) == len("2026-11-23 00:00:00") and first >= "2026-11-23 00:00:00"
    assert changeset(client, "xml") == first == changeset(client)


def _edit_question(topic):
    question = TopicQuestion.objects.filter(topic=topic).first()
    question.description = "Где именно лежит мусор"
    question.save()


def _delete_question(topic):
    TopicQuestion.objects.filter(topic=topic, code="details").delete()


def _add_topic(topic):
    Topic.objects.create(
        code="yard-new-bench",
        group=topic.group,
        name="Сломана скамейка во дворе",
        responsible_kind=topic.responsible_kind,
    )


def _rename_topic(topic):
    Topic.objects.filter(pk=topic.pk).update(name="Мусор во дворе")  # no save(), no signal


def _switch_topic_off(topic):
    Topic.objects.filter(pk=topic.pk).update(is_active=False)


def _rename_group(topic):
    group = topic.group
    group.name = "Дворы и детские площадки"
    group.save()


def _add_group(topic):
    TopicGroup.objects.create(code="open311-test-group", name="Новая группа", position=99)
    _add_topic(topic)
    Topic.objects.filter(code="yard-new-bench").update(
        group=TopicGroup.objects.get(code="open311-test-group")
    )


@pytest.mark.parametrize(
    "change",
    [
        _edit_question,
        _delete_question,
        _add_topic,
        _rename_topic,
        _switch_topic_off,
        _rename_group,
        _add_group,
    ],
)
def test_discovery_changeset_moves_when_services_or_definitions_change(client, topic, change):
    before = changeset(client)
    assert changeset(client) == before  # nothing changed
    change(topic)
    after = changeset(client)
    assert after > before  # even within the same second
    assert changeset(client, "xml") == after


def test_discovery_changeset_stays_when_a_save_changes_nothing_served(client, topic):
    before = changeset(client)
    for question in TopicQuestion.objects.filter(topic=topic):
        question.save()  # updated_at moves, the definition does not
    topic.save()
    assert changeset(client) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_available_topics_with_group_and_keywords(
    client, topic, fmt, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(url("services", fmt))
    assert response.status_code == 200
    doc = body(response)
    services = doc if fmt == "json" else [{c.tag: c.text for c in s} for s in doc.findall("service")]
    by_code = {s["service_code"]: s for s in services}
    active = Topic.objects.filter(is_active=True, season__isnull=True).count()
    assert len(by_code) >= active
    mine = by_code["yard-not-cleaned"]
    assert mine["service_name"] == "Неубранная дворовая территория"
    assert mine["group"] == "Двор"
    assert "Двор" in mine["keywords"]
    assert mine["type"] == "realtime"
    other = next(
        s
        for code, s in by_code.items()
        if code != "yard-not-cleaned" and not Topic.objects.get(code=code).questions.exists()
    )
    if fmt == "json":
        assert mine["metadata"] is True and other["metadata"] is False
        assert all(isinstance(s["service_code"], str) for s in services)
    else:
        assert mine["metadata"] == "true" and other["metadata"] == "false"
        assert list(mine) == [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ]


def test_inactive_topics_are_not_services(client, topic):
    Topic.objects.filter(pk=topic.pk).update(is_active=False)
    codes = {s["service_code"] for s in client.get(url("services", "json")).json()}
    assert "yard-not-cleaned" not in codes
    errors(client.get(url("services/yard-not-cleaned", "json")), 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_has_typed_attributes_in_order(client, topic, fmt):
    response = client.get(url("services/yard-not-cleaned", fmt))
    assert response.status_code == 200
    doc = body(response)
    if fmt == "json":
        assert doc["service_code"] == "yard-not-cleaned"
        attributes = doc["attributes"]
        assert [a["code"] for a in attributes] == ["where", "bags", "seen_at", "details", "kind", "near"]
        assert [a["datatype"] for a in attributes] == [
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        ]
        where, bags, *_, kind, near = attributes
        assert where == {
            "variable": True,
            "code": "where",
            "datatype": "string",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "Где именно мусор",
        }
        assert bags["required"] is False and bags["datatype_description"] == "Число"
        assert kind["values"] == [
            {"key": "household", "name": "Бытовой"},
            {"key": "building", "name": "Строительный"},
        ]
        assert [v["key"] for v in near["values"]] == ["playground", "entrance"]
    else:
        assert doc.tag == "service_definition"
        assert doc.findtext("service_code") == "yard-not-cleaned"
        attributes = doc.findall("attributes/attribute")
        assert [a.findtext("order") for a in attributes] == ["1", "2", "3", "4", "5", "6"]
        assert attributes[0].findtext("variable") == "true" and attributes[0].findtext("required") == "true"
        assert attributes[0].find("values") is None
        values = attributes[4].findall("values/value")
        assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
            ("household", "Бытовой"),
            ("building", "Строительный"),
        ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_topic_without_questions_has_an_empty_definition(client, fmt):
    response = client.get(url("services/road-potholes", fmt))
    doc = body(response)
    if fmt == "json":
        assert doc == {"service_code": "road-potholes", "attributes": []}
    else:
        assert doc.findtext("service_code") == "road-potholes" and doc.findall("attributes/attribute") == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_is_404(client, fmt):
    (description,) = errors(client.get(url("services/no-such-topic", fmt)), 404)
    assert "no-such-topic" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_id_of_another_city_is_404_and_ours_is_accepted(client, fmt):
    errors(client.get(url("services", fmt), {"jurisdiction_id": "sfgov.org"}), 404)
    assert client.get(url("services", fmt), {"jurisdiction_id": "testserver"}).status_code == 200
    assert client.get(url("services", fmt), {"jurisdiction_id": ""}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_paths_and_methods_get_the_error_list(client, fmt):
    errors(client.get(f"/open311/v2/nothing-here.{fmt}"), 404)
    response = client.post(url("services", fmt))
    errors(response, 400)
    assert response["Allow"] == "GET, HEAD"
    errors(client.delete(url("requests", fmt)), 400)


def test_unknown_format_is_404_in_xml(client):
    errors(client.get("/open311/v2/services.csv"), 404)
