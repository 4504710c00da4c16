"""Handlers for Proxy Services, the members of their proxy pools, and Chat v2 Services."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .._table import CHAT_SERVICES, PHONE_NUMBERS, POOLS, SERVICES, Verb
from .._table import Collection as Table
from ._chat_update import apply_chat_update
from ._demo import describe_number, invent_member, invented_phone_number
from ._errors import (
    DUPLICATE_SERVICE_NAME,
    INVALID_PARAMETER,
    ApiError,
    ApiRequest,
    Reply,
    invalid,
    not_found,
)
from ._forms import Form, is_sid
from ._records import ChatServiceRecord, PhoneNumberRecord, PoolMemberRecord, ServiceRecord
from ._store import Store, later_than

Handler = Callable[[Store, ApiRequest], Reply]

_UNIQUE_NAME = SERVICES.field("unique_name")
_DEFAULT_TTL = SERVICES.field("default_ttl")
_GEO_MATCH_LEVEL = SERVICES.field("geo_match_level")
_NUMBER_SELECTION = SERVICES.field("number_selection_behavior")
_CHAT_INSTANCE_SID = SERVICES.field("chat_instance_sid")
_SERVICE_URLS = (
    SERVICES.field("callback_url"),
    SERVICES.field("intercept_callback_url"),
    SERVICES.field("out_of_session_callback_url"),
)
_NUMBER_SID = PHONE_NUMBERS.field("sid")
_PHONE_NUMBER = PHONE_NUMBERS.field("phone_number")
_IS_RESERVED = PHONE_NUMBERS.field("is_reserved")
_FRIENDLY_NAME = CHAT_SERVICES.field("friendly_name")
_UNIQUE_NAME_MAX = 191


def service_from_path(store: Store, request: ApiRequest, value: str) -> ServiceRecord:
    service = store.services.get(value) if is_sid(SERVICES.prefix, value) else None
    if service is None:
        raise not_found(request.path)
    return service


def _conflict(message: str) -> ApiError:
    return ApiError(409, INVALID_PARAMETER, message)


# --- Proxy Services ---------------------------------------------------------------


def _apply_service_fields(store: Store, service: ServiceRecord, form: Form) -> None:
    """Validates every field before assigning any, so a 400 leaves the record untouched."""
    ttl = form.integer(_DEFAULT_TTL)
    if ttl is not None and ttl < 0:
        raise invalid(f"{_DEFAULT_TTL.wire} must be 0 or greater")
    geo = form.choice(_GEO_MATCH_LEVEL)
    behavior = form.choice(_NUMBER_SELECTION)
    chat_instance_sid = form.sid(_CHAT_INSTANCE_SID)
    name = form.text(_UNIQUE_NAME)
    if name is not None and name != service.unique_name:
        _check_service_name(store, name)
        store.rename_service(service, name)
    if ttl is not None:
        service.default_ttl = ttl
    if geo is not None:
        service.geo_match_level = geo
    if behavior is not None:
        service.number_selection_behavior = behavior
    if chat_instance_sid is not None:
        service.chat_instance_sid = chat_instance_sid
    for field in _SERVICE_URLS:
        if form.has(field):
            setattr(service, field.name, form.text(field) or None)


def _check_service_name(store: Store, name: str) -> None:
    if not name or len(name) > _UNIQUE_NAME_MAX:
        raise invalid(f"{_UNIQUE_NAME.wire} must be 1 to {_UNIQUE_NAME_MAX} characters")
    if name in store.service_names:
        raise ApiError(409, DUPLICATE_SERVICE_NAME, f"Service UniqueName {name!r} already exists")


def list_services(store: Store, request: ApiRequest) -> Reply:
    return store.list_reply(request, SERVICES, store.services)


def create_service(store: Store, request: ApiRequest) -> Reply:
    form = Form(request.form)
    name = form.required(_UNIQUE_NAME)
    _check_service_name(store, name)
    now = store.now()
    service = ServiceRecord(
        seq=store.next_seq(),
        sid=store.sids.new(SERVICES.prefix),
        date_created=now,
        date_updated=now,
        unique_name=name,
    )
    _apply_service_fields(store, service, form)
    store.add_service(service)
    return Reply(201, service.payload(store.site))


def fetch_service(store: Store, request: ApiRequest) -> Reply:
    service = store.find_service(request.params[0])
    if service is None:
        raise not_found(request.path)
    return Reply(200, service.payload(store.site))


def update_service(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    _apply_service_fields(store, service, Form(request.form))
    service.date_updated = later_than(service.date_updated)
    service.changed()
    return Reply(200, service.payload(store.site))


def delete_service(store: Store, request: ApiRequest) -> Reply:
    store.delete_service(service_from_path(store, request, request.params[0]))
    return Reply(204)


# --- Proxy PhoneNumbers -------------------------------------------------------------


def create_phone_number(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    form = Form(request.form)
    sid = form.sid(_NUMBER_SID)
    phone_number = form.phone_number(_PHONE_NUMBER)
    reserved = form.boolean(_IS_RESERVED) or False
    if sid is None and phone_number is None:
        raise invalid("Either Sid or PhoneNumber must be provided")
    if sid is None:
        assert phone_number is not None
        sid = store.sid_of_number.get(phone_number) or store.sids.new(PHONE_NUMBERS.prefix)
    if phone_number is None:
        phone_number = store.number_of_sid.get(sid) or invented_phone_number(sid)
    known = store.sid_of_number.get(phone_number)
    if known is not None and known != sid:
        raise invalid(f"PhoneNumber {phone_number} does not belong to {sid}")
    _check_free(store, PHONE_NUMBERS, sid)
    friendly_name, country = describe_number(phone_number)
    now = store.now()
    number = PhoneNumberRecord(
        seq=store.next_seq(),
        sid=sid,
        date_created=now,
        date_updated=now,
        service_sid=service.sid,
        phone_number=phone_number,
        friendly_name=friendly_name,
        iso_country=country,
        is_reserved=reserved,
    )
    store.add_phone_number(service, number)
    return Reply(201, number.payload(store.site))


# --- members of a Service's proxy pool: every pool collection of the table ----------


def _kind(table: Table[Any]) -> str:
    """How Twilio names a record of a pool collection in its messages: "Phone Number"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", table.model.__name__)


def _check_free(store: Store, table: Table[Any], sid: str) -> None:
    """A number of the account is in at most one Service's pool at a time."""
    owner = store.number_owner.get(sid)
    if owner is not None:
        raise _conflict(f"{_kind(table)} {sid} is already associated with Service {owner}")


def _member_from_path(
    store: Store, request: ApiRequest, table: Table[Any]
) -> tuple[ServiceRecord, PoolMemberRecord]:
    service = service_from_path(store, request, request.params[0])
    value = request.params[1]
    member = service.pool(table).get(value) if is_sid(table.prefix, value) else None
    if member is None:
        raise not_found(request.path)
    return service, member


def _create_member(table: Table[Any]) -> Handler:
    """Adds a number of the account named by its SID, the one field such a create takes."""
    sid_field = table.field("sid")

    def create_member(store: Store, request: ApiRequest) -> Reply:
        service = service_from_path(store, request, request.params[0])
        form = Form(request.form)
        form.required(sid_field)
        sid = form.sid(sid_field)
        assert sid is not None
        _check_free(store, table, sid)
        member = invent_member(store, table, service.sid, sid, store.now())
        store.add_member(service, member)
        return Reply(201, member.payload(store.site))

    return create_member


def _list_members(table: Table[Any]) -> Handler:
    def list_members(store: Store, request: ApiRequest) -> Reply:
        service = service_from_path(store, request, request.params[0])
        return store.list_reply(request, table, service.pool(table))

    return list_members


def _fetch_member(table: Table[Any]) -> Handler:
    def fetch_member(store: Store, request: ApiRequest) -> Reply:
        _, member = _member_from_path(store, request, table)
        return Reply(200, member.payload(store.site))

    return fetch_member


def _update_member(table: Table[Any]) -> Handler:
    is_reserved = table.field("is_reserved")

    def update_member(store: Store, request: ApiRequest) -> Reply:
        _, member = _member_from_path(store, request, table)
        reserved = Form(request.form).boolean(is_reserved)
        if reserved is not None:
            member.is_reserved = reserved
        member.date_updated = later_than(member.date_updated)
        member.changed()
        return Reply(200, member.payload(store.site))

    return update_member


def _delete_member(table: Table[Any]) -> Handler:
    def delete_member(store: Store, request: ApiRequest) -> Reply:
        store.remove_member(*_member_from_path(store, request, table))
        return Reply(204)

    return delete_member


# --- Chat v2 Services ---------------------------------------------------------------


def _chat_from_path(store: Store, request: ApiRequest) -> ChatServiceRecord:
    value = request.params[0]
    chat = store.chat_services.get(value) if is_sid(CHAT_SERVICES.prefix, value) else None
    if chat is None:
        raise not_found(request.path)
    return chat


def list_chat_services(store: Store, request: ApiRequest) -> Reply:
    return store.list_reply(request, CHAT_SERVICES, store.chat_services)


def create_chat_service(store: Store, request: ApiRequest) -> Reply:
    name = Form(request.form).required(_FRIENDLY_NAME)
    chat = store.new_chat_service(store.sids, name, store.now())
    store.chat_services.add(chat)
    return Reply(201, chat.payload(store.site))


def fetch_chat_service(store: Store, request: ApiRequest) -> Reply:
    return Reply(200, _chat_from_path(store, request).payload(store.site))


def update_chat_service(store: Store, request: ApiRequest) -> Reply:
    chat = _chat_from_path(store, request)
    apply_chat_update(chat, Form(request.form))
    chat.date_updated = later_than(chat.date_updated)
    chat.changed()
    return Reply(200, chat.payload(store.site))


def delete_chat_service(store: Store, request: ApiRequest) -> Reply:
    store.chat_services.remove(_chat_from_path(store, request))
    return Reply(204)


HANDLERS: Mapping[tuple[str, Verb], Handler] = {
    (SERVICES.name, Verb.CREATE): create_service,
    (SERVICES.name, Verb.FETCH): fetch_service,
    (SERVICES.name, Verb.UPDATE): update_service,
    (SERVICES.name, Verb.DELETE): delete_service,
    (SERVICES.name, Verb.LIST): list_services,
    # A phone number may also be named by its number: its create is its own.
    (PHONE_NUMBERS.name, Verb.CREATE): create_phone_number,
    **{(pool.name, Verb.CREATE): _create_member(pool) for pool in POOLS if pool != PHONE_NUMBERS},
    **{(pool.name, Verb.LIST): _list_members(pool) for pool in POOLS},
    **{(pool.name, Verb.FETCH): _fetch_member(pool) for pool in POOLS},
    **{(pool.name, Verb.UPDATE): _update_member(pool) for pool in POOLS},
    **{(pool.name, Verb.DELETE): _delete_member(pool) for pool in POOLS},
    (CHAT_SERVICES.name, Verb.CREATE): create_chat_service,
    (CHAT_SERVICES.name, Verb.FETCH): fetch_chat_service,
    (CHAT_SERVICES.name, Verb.UPDATE): update_chat_service,
    (CHAT_SERVICES.name, Verb.DELETE): delete_chat_service,
    (CHAT_SERVICES.name, Verb.LIST): list_chat_services,
}
