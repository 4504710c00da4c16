"""Proxy Services and Chat Services: the exact requests sent and the exact models returned."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from aioresponses import aioresponses

from twilio_proxy_async import (
    ChatService,
    Client,
    GeoMatchLevel,
    InvalidParameterError,
    NotFoundError,
    NumberSelectionBehavior,
    Service,
    WebhookMethod,
)

from helpers import sent, wire

KS = "KS" + "a" * 32
IS = "IS" + "a" * 32
RL = "RL" + "a" * 32
PROXY = "https://proxy.twilio.com"
CHAT = "https://chat.twilio.com"
WHEN = datetime(2015, 7, 30, 20, 0, tzinfo=UTC)


def expected_service() -> Service:
    return Service(
        sid=KS,
        account_sid="AC" + "a" * 32,
        chat_instance_sid=IS,
        unique_name="My Service",
        default_ttl=3600,
        callback_url="http://www.example.com",
        geo_match_level=GeoMatchLevel.COUNTRY,
        number_selection_behavior=NumberSelectionBehavior.PREFER_STICKY,
        intercept_callback_url="http://www.example.com",
        out_of_session_callback_url="http://www.example.com",
        date_created=WHEN,
        date_updated=WHEN,
        url=f"{PROXY}/v1/Services/{KS}",
        links={
            "sessions": f"{PROXY}/v1/Services/{KS}/Sessions",
            "phone_numbers": f"{PROXY}/v1/Services/{KS}/PhoneNumbers",
        },
    )


async def test_create_service_sends_every_field(client: Client, mocked: aioresponses) -> None:
    body = wire(expected_service())
    mocked.post(f"{PROXY}/v1/Services", status=201, payload=body)
    service = await client.proxy.services.create(
        unique_name="My Service",
        default_ttl=3600,
        callback_url="http://www.example.com",
        geo_match_level="country",
        number_selection_behavior=NumberSelectionBehavior.PREFER_STICKY,
        intercept_callback_url="http://www.example.com/i",
        out_of_session_callback_url="http://www.example.com/o",
        chat_instance_sid=IS,
    )
    assert service == expected_service()
    [(method, url, form, _)] = sent(mocked)
    assert (method, url) == ("POST", f"{PROXY}/v1/Services")
    assert form == [
        ("UniqueName", "My Service"),
        ("DefaultTtl", "3600"),
        ("CallbackUrl", "http://www.example.com"),
        ("GeoMatchLevel", "country"),
        ("NumberSelectionBehavior", "prefer-sticky"),
        ("InterceptCallbackUrl", "http://www.example.com/i"),
        ("OutOfSessionCallbackUrl", "http://www.example.com/o"),
        ("ChatInstanceSid", IS),
    ]


async def test_fetch_by_sid_and_by_unique_name(client: Client, mocked: aioresponses) -> None:
    # The exact quoting of a unique name on the wire is checked against a real server
    # in test_loopback.py; aioresponses normalises URLs before recording them.
    body = wire(expected_service())
    mocked.get(f"{PROXY}/v1/Services/{KS}", payload=body)
    mocked.get(f"{PROXY}/v1/Services/My%20Service", payload=body)
    assert await client.proxy.services.fetch(KS) == expected_service()
    assert await client.proxy.services.fetch("My Service") == expected_service()
    assert [url for _, url, _, _ in sent(mocked)] == [
        f"{PROXY}/v1/Services/{KS}",
        f"{PROXY}/v1/Services/My%20Service",
    ]


async def test_update_sends_only_given_fields(client: Client, mocked: aioresponses) -> None:
    body = wire(expected_service())
    mocked.post(f"{PROXY}/v1/Services/{KS}", payload=body)
    await client.proxy.services.update(KS, geo_match_level=GeoMatchLevel.AREA_CODE, default_ttl=0)
    [(_, _, form, _)] = sent(mocked)
    assert form == [("DefaultTtl", "0"), ("GeoMatchLevel", "area-code")]


async def test_delete_returns_none_and_missing_raises_not_found(
    client: Client, mocked: aioresponses
) -> None:
    mocked.delete(f"{PROXY}/v1/Services/{KS}", status=204)
    assert await client.proxy.services.delete(KS) is None
    mocked.delete(f"{PROXY}/v1/Services/{KS}", status=404, payload={"code": 20404})
    with pytest.raises(NotFoundError):
        await client.proxy.services.delete(KS)


async def test_list_follows_pages_and_structures_records(
    client: Client, mocked: aioresponses
) -> None:
    record = wire(expected_service())
    second = dict(record, sid="KS" + "b" * 32)
    next_url = f"{PROXY}/v1/Services?PageSize=1&Page=1&PageToken=PAKS%2Bb%3D"
    mocked.get(
        f"{PROXY}/v1/Services?PageSize=1",
        payload={"services": [record], "meta": {"key": "services", "next_page_url": next_url}},
    )
    mocked.get(
        next_url, payload={"services": [second], "meta": {"key": "services", "next_page_url": None}}
    )
    services = [service async for service in client.proxy.services.list(page_size=1)]
    assert services == [expected_service(), attrs.evolve(expected_service(), sid=second["sid"])]
    urls = [url for _, url, _, _ in sent(mocked)]
    assert urls[0] == f"{PROXY}/v1/Services?PageSize=1"
    assert urls[1].endswith("PageToken=PAKS%2Bb%3D")


async def test_list_with_small_limit_asks_for_a_small_page(
    client: Client, mocked: aioresponses
) -> None:
    mocked.get(
        f"{PROXY}/v1/Services?PageSize=2",
        payload={"services": [], "meta": {"key": "services", "next_page_url": None}},
    )
    assert [s async for s in client.proxy.services.list(limit=2)] == []
    assert [url for _, url, _, _ in sent(mocked)] == [f"{PROXY}/v1/Services?PageSize=2"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.proxy.services.fetch(""), "sid_or_unique_name"),
        (lambda c: c.proxy.services.update("KSshort", unique_name="x"), "sid"),
        (lambda c: c.proxy.services.delete("IS" + "a" * 32), "sid"),
        (lambda c: c.proxy.services.create(unique_name="x", geo_match_level="planet"), "planet"),
        (lambda c: c.proxy.services.create(unique_name="x", default_ttl="60"), "integer"),
        (
            lambda c: c.proxy.services.create(unique_name="x", chat_instance_sid="KS" + "a" * 32),
            "IS",
        ),
        (lambda c: c.chat.services.fetch(KS), "IS"),
        (lambda c: c.chat.services.update(IS, webhook_method="PUT"), "PUT"),
        (lambda c: c.chat.services.update(IS, webhook_filters="onMessageSent"), "sequence"),
        (lambda c: c.chat.services.update(IS, read_status_enabled="yes"), "True or False"),
        (lambda c: c.chat.services.update(IS, default_service_role_sid="RLx"), "RL"),
        (lambda c: c.chat.services.create(friendly_name=""), "friendly_name"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    client: Client, mocked: aioresponses, call: object, message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        await call(client)  # type: ignore[operator]
    assert sent(mocked) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"page_size": 0}, "1 to 1000"), ({"page_size": 1001}, "1 to 1000"), ({"limit": 0}, "limit")],
)
async def test_list_arguments_are_checked_when_list_is_called(
    client: Client, mocked: aioresponses, kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        client.proxy.services.list(**kwargs)
    assert sent(mocked) == []


async def test_chat_page_size_is_limited_to_100(client: Client) -> None:
    with pytest.raises(InvalidParameterError, match="1 to 100"):
        client.chat.services.list(page_size=101)


def expected_chat_service() -> ChatService:
    return ChatService(
        sid=IS,
        account_sid="AC" + "a" * 32,
        friendly_name="friendly_name",
        date_created=WHEN,
        date_updated=WHEN,
        default_service_role_sid=RL,
        default_channel_role_sid=RL,
        default_channel_creator_role_sid=RL,
        read_status_enabled=False,
        reachability_enabled=False,
        typing_indicator_timeout=100,
        consumption_report_interval=100,
        limits={"channel_members": 100, "user_channels": 250},
        pre_webhook_url="pre_webhook_url",
        post_webhook_url="post_webhook_url",
        webhook_method="webhook_method",
        webhook_filters=("webhook_filters",),
        pre_webhook_retry_count=2,
        post_webhook_retry_count=3,
        notifications={},
        media={"size_limit_mb": 150, "compatibility_message": "media compatibility message"},
        url=f"{CHAT}/v2/Services/{IS}",
        links={
            "channels": f"{CHAT}/v2/Services/{IS}/Channels",
            "users": f"{CHAT}/v2/Services/{IS}/Users",
            "roles": f"{CHAT}/v2/Services/{IS}/Roles",
            "bindings": f"{CHAT}/v2/Services/{IS}/Bindings",
        },
    )


async def test_chat_create_fetch_delete(client: Client, mocked: aioresponses) -> None:
    body = wire(expected_chat_service())
    mocked.post(f"{CHAT}/v2/Services", status=201, payload=body)
    mocked.get(f"{CHAT}/v2/Services/{IS}", payload=body)
    mocked.delete(f"{CHAT}/v2/Services/{IS}", status=204)
    assert (
        await client.chat.services.create(friendly_name="friendly_name") == expected_chat_service()
    )
    assert await client.chat.services.fetch(IS) == expected_chat_service()
    assert await client.chat.services.delete(IS) is None
    calls = sent(mocked)
    assert [(m, u, f) for m, u, f, _ in calls] == [
        ("POST", f"{CHAT}/v2/Services", [("FriendlyName", "friendly_name")]),
        ("GET", f"{CHAT}/v2/Services/{IS}", None),
        ("DELETE", f"{CHAT}/v2/Services/{IS}", None),
    ]


async def test_chat_update_sends_dotted_keys_and_repeated_filters(
    client: Client, mocked: aioresponses
) -> None:
    body = wire(expected_chat_service())
    mocked.post(f"{CHAT}/v2/Services/{IS}", payload=body)
    await client.chat.services.update(
        IS,
        friendly_name="Support",
        reachability_enabled=True,
        notifications_new_message_enabled=True,
        notifications_new_message_template="New: ${MESSAGE}",
        notifications_new_message_badge_count_enabled=False,
        notifications_added_to_channel_sound="ding",
        notifications_log_enabled=True,
        webhook_method=WebhookMethod.POST,
        webhook_filters=["onMessageSent", "onChannelAdded"],
        limits_channel_members=500,
        limits_user_channels=100,
        media_compatibility_message="media unsupported",
        pre_webhook_retry_count=1,
    )
    [(_, _, form, _)] = sent(mocked)
    assert form == [
        ("FriendlyName", "Support"),
        ("ReachabilityEnabled", "true"),
        ("Notifications.NewMessage.Enabled", "true"),
        ("Notifications.NewMessage.Template", "New: ${MESSAGE}"),
        ("Notifications.NewMessage.BadgeCountEnabled", "false"),
        ("Notifications.AddedToChannel.Sound", "ding"),
        ("WebhookMethod", "POST"),
        ("WebhookFilters", "onMessageSent"),
        ("WebhookFilters", "onChannelAdded"),
        ("Limits.ChannelMembers", "500"),
        ("Limits.UserChannels", "100"),
        ("Media.CompatibilityMessage", "media unsupported"),
        ("PreWebhookRetryCount", "1"),
        ("Notifications.LogEnabled", "true"),
    ]


async def test_chat_list_uses_the_chat_origin(client: Client, mocked: aioresponses) -> None:
    record = wire(expected_chat_service())
    body = {"services": [record, record], "meta": {"key": "services", "next_page_url": None}}
    mocked.get(f"{CHAT}/v2/Services?PageSize=100", payload=body)
    services = [s async for s in client.chat.services.list(page_size=100)]
    assert services == [expected_chat_service()] * 2
