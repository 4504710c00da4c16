"""Property-based tests: models, SID checks and request encoding over generated inputs.

Everything here is synchronous. Request methods check their arguments before their first
await, so driving a method's coroutine one step (``coro.send(None)``) shows whether it
was refused at once, and a stand-in transport captures what would have been sent.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twilio_proxy_async import (
    Client,
    GeoMatchLevel,
    InteractionResourceStatus,
    InteractionType,
    InvalidParameterError,
    NumberSelectionBehavior,
    RawResponse,
    Service,
    Session,
    SessionMode,
    SessionStatus,
)
from twilio_proxy_async._converter import structure
from twilio_proxy_async._params import format_datetime
from twilio_proxy_async._transport import FormItems
from twilio_proxy_async.models.interaction import Interaction

from helpers import ACCOUNT, TOKEN

FAST = settings(max_examples=60, deadline=None)
HEX = "0123456789abcdefABCDEF"
KS = "KS" + "a" * 32
KC = "KC" + "a" * 32


def sids(prefix: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=HEX, min_size=32, max_size=32).map(lambda digits: prefix + digits)


offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1901, 1, 1), max_value=datetime(2199, 12, 31), timezones=offsets
)


def as_json_datetime(value: datetime, twilio_style: bool) -> str:
    """Either Twilio's own ``...Z`` form (whole seconds) or any ISO 8601 offset form."""
    if twilio_style:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def same_instant_in_utc(parsed: datetime | None, original: datetime, twilio_style: bool) -> None:
    assert parsed is not None
    assert parsed.tzinfo is UTC
    expected = original.replace(microsecond=0) if twilio_style else original
    assert parsed == expected


def enum_or_unknown(kind: type[Enum]) -> st.SearchStrategy[str]:
    known = [str(member.value) for member in kind]
    return st.sampled_from(known) | st.text(max_size=20).filter(lambda text: text not in known)


def expected_enum(kind: type[Enum], raw: str) -> object:
    """Response enums keep a value this version does not know as the raw string."""
    for member in kind:
        if member.value == raw:
            return member
    return raw


@FAST
@given(
    sid=sids("KC"),
    service_sid=sids("KS"),
    account_sid=sids("AC"),
    status=enum_or_unknown(SessionStatus),
    mode=enum_or_unknown(SessionMode),
    created=aware_datetimes,
    expiry=aware_datetimes,
    twilio_style=st.booleans(),
    unique_name=st.none() | st.text(max_size=40),
    ttl=st.none() | st.integers(min_value=0, max_value=2**31),
)
def test_session_json_round_trips_through_the_model(
    sid: str,
    service_sid: str,
    account_sid: str,
    status: str,
    mode: str,
    created: datetime,
    expiry: datetime,
    twilio_style: bool,
    unique_name: str | None,
    ttl: int | None,
) -> None:
    data = {
        "sid": sid,
        "service_sid": service_sid,
        "account_sid": account_sid,
        "status": status,
        "mode": mode,
        "date_created": as_json_datetime(created, twilio_style),
        "date_expiry": as_json_datetime(expiry, twilio_style),
        "unique_name": unique_name,
        "ttl": ttl,
    }
    session = structure(data, Session)
    assert (session.sid, session.service_sid, session.account_sid) == (
        sid,
        service_sid,
        account_sid,
    )
    assert session.status == expected_enum(SessionStatus, status)
    assert type(session.status) is type(expected_enum(SessionStatus, status))
    assert session.mode == expected_enum(SessionMode, mode)
    assert (session.unique_name, session.ttl) == (unique_name, ttl)
    same_instant_in_utc(session.date_created, created, twilio_style)
    same_instant_in_utc(session.date_expiry, expiry, twilio_style)
    assert session.date_started is None and session.links is None


@FAST
@given(
    sid=sids("KS"),
    geo=enum_or_unknown(GeoMatchLevel),
    stickiness=enum_or_unknown(NumberSelectionBehavior),
    updated=aware_datetimes,
)
def test_service_enums_and_datetimes_round_trip(
    sid: str, geo: str, stickiness: str, updated: datetime
) -> None:
    service = structure(
        {
            "sid": sid,
            "geo_match_level": geo,
            "number_selection_behavior": stickiness,
            "date_updated": updated.isoformat(),
        },
        Service,
    )
    assert service.sid == sid
    assert service.geo_match_level == expected_enum(GeoMatchLevel, geo)
    assert service.number_selection_behavior == expected_enum(NumberSelectionBehavior, stickiness)
    same_instant_in_utc(service.date_updated, updated, twilio_style=False)


@FAST
@given(
    sid=sids("KI"),
    participant=sids("KP"),
    kind=enum_or_unknown(InteractionType),
    status=enum_or_unknown(InteractionResourceStatus),
)
def test_interaction_enums_round_trip(sid: str, participant: str, kind: str, status: str) -> None:
    interaction = structure(
        {
            "sid": sid,
            "type": kind,
            "outbound_participant_sid": participant,
            "outbound_resource_status": status,
        },
        Interaction,
    )
    assert (interaction.sid, interaction.outbound_participant_sid) == (sid, participant)
    assert interaction.type == expected_enum(InteractionType, kind)
    assert interaction.outbound_resource_status == expected_enum(InteractionResourceStatus, status)


def invalid_sids(prefix: str) -> st.SearchStrategy[str]:
    hex_digits = st.text(alphabet=HEX, min_size=32, max_size=32)
    wrong_prefix = st.tuples(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2).filter(
            lambda other: other != prefix
        ),
        hex_digits,
    ).map("".join)
    wrong_length = (
        st.text(alphabet=HEX, max_size=40)
        .filter(lambda digits: len(digits) != 32)
        .map(lambda digits: prefix + digits)
    )
    not_hex = st.tuples(
        st.text(alphabet=HEX, max_size=31),
        st.characters().filter(lambda char: char not in HEX),
        st.text(alphabet=HEX, max_size=31),
    ).map(lambda parts: prefix + (parts[0] + parts[1] + parts[2]).ljust(32, "0")[:32])
    path_syntax = st.tuples(
        hex_digits, st.sampled_from(["/", "?", "#", "%2F", "/..", "\n", " "])
    ).map(lambda parts: prefix + parts[0][:30] + parts[1])
    return wrong_prefix | wrong_length | not_hex | path_syntax


@FAST
@given(bad=invalid_sids("KS"))
def test_models_refuse_invalid_sids(bad: str) -> None:
    with pytest.raises(ValueError, match="sid"):
        Service(sid=bad)
    with pytest.raises(cattrs.ClassValidationError):
        structure({"sid": bad}, Service)
    with pytest.raises(cattrs.ClassValidationError):
        structure({"sid": KC, "service_sid": bad}, Session)


class Captured(Exception):
    """Raised by the stand-in transport with what the SDK was about to send."""

    def __init__(self, method: str, url: str, form: FormItems | None) -> None:
        super().__init__(method, url)
        self.method = method
        self.url = url
        self.form = form


class NothingSent(AssertionError):
    pass


class CapturingTransport:
    """An HTTP transport that raises the request it was handed instead of sending it."""

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        time_limit: float,
    ) -> RawResponse:
        form = (
            parse_qsl(body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
            if body
            else None
        )
        raise Captured(method, url, form)

    async def aclose(self) -> None:
        return None


def offline_client() -> Client:
    """A client whose transport captures the request instead of sending it."""
    return Client(ACCOUNT, TOKEN, base_url="http://127.0.0.1:9", transport=CapturingTransport())


def first_step(coroutine: Coroutine[Any, Any, object]) -> BaseException:
    """Run a request method to its first suspension; return what it raised."""
    try:
        coroutine.send(None)
    except BaseException as raised:
        return raised
    finally:
        coroutine.close()
    raise NothingSent("the method suspended without raising")


CLIENT = offline_client()


@FAST
@given(bad=invalid_sids("KS"), bad_session=invalid_sids("KC"), bad_participant=invalid_sids("KP"))
def test_request_methods_refuse_invalid_sids_before_any_request(
    bad: str, bad_session: str, bad_participant: str
) -> None:
    services, sessions = CLIENT.proxy.services, CLIENT.proxy.sessions
    for call in (
        services.delete(bad),
        services.update(bad, default_ttl=1),
        sessions.fetch(bad, "name"),
        sessions.create(bad, unique_name="x"),
        sessions.delete(KS, bad_session),
        CLIENT.proxy.phone_numbers.fetch(bad, "PN" + "0" * 32),
        CLIENT.proxy.participants.delete(KS, KC, bad_participant),
        CLIENT.proxy.participants.fetch(KS, bad_session, "KP" + "0" * 32),
    ):
        assert type(first_step(call)) is InvalidParameterError
    with pytest.raises(InvalidParameterError):
        sessions.list(bad)


@FAST
@given(sid=sids("KS"))
def test_valid_sids_go_through_to_the_transport(sid: str) -> None:
    raised = first_step(CLIENT.proxy.services.delete(sid))
    assert isinstance(raised, Captured)
    assert (raised.method, raised.url) == ("DELETE", f"http://127.0.0.1:9/v1/Services/{sid}")


names = st.text(min_size=1, max_size=60)


@FAST
@given(name=names)
def test_unique_names_round_trip_through_the_form_encoding(name: str) -> None:
    raised = first_step(CLIENT.proxy.services.create(unique_name=name, default_ttl=5))
    assert isinstance(raised, Captured)
    assert raised.form == [
        ("UniqueName", name),
        ("DefaultTtl", "5"),
    ]


@FAST
@given(name=names)
def test_unique_names_are_one_quoted_path_segment(name: str) -> None:
    raised = first_step(CLIENT.proxy.sessions.fetch(KS, name))
    assert isinstance(raised, Captured)
    path = urlsplit(raised.url).path
    prefix = f"/v1/Services/{KS}/Sessions/"
    assert path.startswith(prefix)
    segment = path.removeprefix(prefix)
    assert not {"/", "?", "#", " "} & set(segment)
    assert segment.isascii()
    assert unquote(segment) == name


@FAST
@given(moment=aware_datetimes)
def test_datetime_params_are_the_utc_instant_ending_in_z(moment: datetime) -> None:
    formatted = format_datetime(moment, "date_expiry")
    assert formatted.endswith("Z")
    parsed = datetime.strptime(formatted, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert parsed == moment.replace(microsecond=0)

    raised = first_step(CLIENT.proxy.sessions.create(KS, unique_name="s", date_expiry=moment))
    assert isinstance(raised, Captured)
    assert raised.form is not None
    assert ("DateExpiry", formatted) in raised.form


@FAST
@given(moment=st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2199, 1, 1)))
def test_naive_datetime_params_are_refused_before_any_request(moment: datetime) -> None:
    raised = first_step(CLIENT.proxy.sessions.update(KS, KC, date_expiry=moment))
    assert type(raised) is InvalidParameterError


@FAST
@given(page_size=st.integers() | st.none(), limit=st.integers() | st.none())
def test_page_size_and_limit_are_checked_when_the_listing_is_made(
    page_size: int | None, limit: int | None
) -> None:
    valid = (page_size is None or 1 <= page_size <= 1000) and (limit is None or limit >= 1)
    if valid:
        CLIENT.proxy.services.list(page_size=page_size, limit=limit)
    else:
        with pytest.raises(InvalidParameterError):
            CLIENT.proxy.services.list(page_size=page_size, limit=limit)
