"""Handlers for Proxy Services and PhoneNumbers, and Chat v2 Services."""

from __future__ import annotations

from ._chat_update import apply_chat_update
from ._errors import (
    DUPLICATE_SERVICE_NAME,
    INVALID_PARAMETER,
    ApiError,
    ApiRequest,
    Reply,
    invalid,
    not_found,
)
from ._forms import Form, sid_pattern
from ._paging import CHAT_MAX_PAGE_SIZE
from ._records import ChatServiceRecord, PhoneNumberRecord, ServiceRecord
from ._store import SidSource, Store, later_than

KS = sid_pattern("KS")
PN = sid_pattern("PN")
IS = sid_pattern("IS")
RL = sid_pattern("RL")

GEO_MATCH_LEVELS = ("area-code", "overlay", "radius", "country")
NUMBER_SELECTION_BEHAVIORS = ("avoid-sticky", "prefer-sticky")
_UNIQUE_NAME_MAX = 191
_COUNTRY_BY_PREFIX = (("+1", "US"), ("+44", "GB"), ("+33", "FR"), ("+49", "DE"), ("+61", "AU"))


def service_from_path(store: Store, request: ApiRequest, value: str) -> ServiceRecord:
    service = store.services.get(value) if KS.match(value) else None
    if service is None:
        raise not_found(request.path)
    return service


def _number_from_path(service: ServiceRecord, request: ApiRequest, value: str) -> PhoneNumberRecord:
    number = service.phone_numbers.get(value) if PN.match(value) else None
    if number is None:
        raise not_found(request.path)
    return number


def _conflict(message: str) -> ApiError:
    return ApiError(409, INVALID_PARAMETER, message)


# --- Proxy Services ---------------------------------------------------------------


def _apply_service_fields(store: Store, service: ServiceRecord, form: Form) -> None:
    """Validates every field before assigning any, so a 400 leaves the record untouched."""
    ttl = form.integer("DefaultTtl")
    if ttl is not None and ttl < 0:
        raise invalid("DefaultTtl must be 0 or greater")
    geo = form.choice("GeoMatchLevel", GEO_MATCH_LEVELS)
    behavior = form.choice("NumberSelectionBehavior", NUMBER_SELECTION_BEHAVIORS)
    chat_instance_sid = form.sid("ChatInstanceSid", IS)
    name = form.text("UniqueName")
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
    for field, attribute in (
        ("CallbackUrl", "callback_url"),
        ("InterceptCallbackUrl", "intercept_callback_url"),
        ("OutOfSessionCallbackUrl", "out_of_session_callback_url"),
    ):
        if form.has(field):
            setattr(service, attribute, form.text(field) or None)


def _check_service_name(store: Store, name: str) -> None:
    if not name or len(name) > _UNIQUE_NAME_MAX:
        raise invalid(f"UniqueName must be 1 to {_UNIQUE_NAME_MAX} characters")
    if name in store.service_names:
        raise ApiError(409, DUPLICATE_SERVICE_NAME, f"Service UniqueName {name!r} already exists")


def list_services(store: Store, request: ApiRequest) -> Reply:
    return store.list_reply(request, "services", store.services)


def create_service(store: Store, request: ApiRequest) -> Reply:
    form = Form(request.form)
    name = form.required("UniqueName")
    _check_service_name(store, name)
    now = store.now()
    service = ServiceRecord(
        seq=store.next_seq(),
        sid=store.sids.new("KS"),
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


def describe_number(phone_number: str) -> tuple[str, str | None]:
    """The friendly name and ISO country Twilio shows for an E.164 number."""
    country = next(
        (iso for prefix, iso in _COUNTRY_BY_PREFIX if phone_number.startswith(prefix)), None
    )
    digits = phone_number[2:]
    if country == "US" and len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", country
    return phone_number, country


def _synthesized_number(sid: str) -> str:
    """A stable US number for a PN nobody told us about, as if it were an owned number."""
    return f"+1{2_000_000_000 + int(sid[2:], 16) % 8_000_000_000}"


def list_phone_numbers(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    return store.list_reply(request, "phone_numbers", service.phone_numbers)


def create_phone_number(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    form = Form(request.form)
    sid = form.sid("Sid", PN)
    phone_number = form.phone_number("PhoneNumber")
    reserved = form.boolean("IsReserved") or False
    if sid is None and phone_number is None:
        raise invalid("Either Sid or PhoneNumber must be provided")
    if sid is None:
        assert phone_number is not None
        sid = store.sid_of_number.get(phone_number) or store.sids.new("PN")
    if phone_number is None:
        phone_number = store.number_of_sid.get(sid) or _synthesized_number(sid)
    known = store.sid_of_number.get(phone_number)
    if known is not None and known != sid:
        raise invalid(f"PhoneNumber {phone_number} does not belong to {sid}")
    owner = store.number_owner.get(sid)
    if owner is not None:
        raise _conflict(f"Phone Number {sid} is already associated with Service {owner}")
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


def fetch_phone_number(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    number = _number_from_path(service, request, request.params[1])
    return Reply(200, number.payload(store.site))


def update_phone_number(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    number = _number_from_path(service, request, request.params[1])
    reserved = Form(request.form).boolean("IsReserved")
    if reserved is not None:
        number.is_reserved = reserved
    number.date_updated = later_than(number.date_updated)
    number.changed()
    return Reply(200, number.payload(store.site))


def delete_phone_number(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    store.delete_phone_number(service, _number_from_path(service, request, request.params[1]))
    return Reply(204)


# --- Chat v2 Services ---------------------------------------------------------------


def new_chat_service(
    store: Store, sids: SidSource, friendly_name: str, now: str
) -> ChatServiceRecord:
    return ChatServiceRecord(
        seq=store.next_seq(),
        sid=sids.new("IS"),
        date_created=now,
        date_updated=now,
        friendly_name=friendly_name,
        default_service_role_sid=sids.new("RL"),
        default_channel_role_sid=sids.new("RL"),
        default_channel_creator_role_sid=sids.new("RL"),
    )


def _chat_from_path(store: Store, request: ApiRequest) -> ChatServiceRecord:
    value = request.params[0]
    chat = store.chat_services.get(value) if IS.match(value) else None
    if chat is None:
        raise not_found(request.path)
    return chat


def list_chat_services(store: Store, request: ApiRequest) -> Reply:
    return store.list_reply(
        request, "services", store.chat_services, max_page_size=CHAT_MAX_PAGE_SIZE
    )


def create_chat_service(store: Store, request: ApiRequest) -> Reply:
    name = Form(request.form).required("FriendlyName")
    chat = new_chat_service(store, store.sids, name, store.now())
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
