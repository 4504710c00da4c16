"""Client settings: credentials, the origin each product is reached at, the User-Agent.

Resolved once, when the client is built, so a missing variable is reported before any
request and the values never change under a running client.
"""

from __future__ import annotations

import base64
import os
import platform
import re
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp
import attrs

from ._exceptions import ConfigurationError
from ._hosts import is_loopback
from ._version import __version__

__all__ = ["Credentials", "Origins", "resolve_credentials", "user_agent"]

_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_API_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")

PRODUCT_HOSTS = {"proxy": "proxy.twilio.com", "chat": "chat.twilio.com"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


@attrs.frozen(repr=False)
class Credentials:
    """The account and the pair used for HTTP basic auth; the secret never appears in repr."""

    account_sid: str
    username: str
    _secret: str = attrs.field(alias="secret")

    def authorization(self) -> str:
        raw = f"{self.username}:{self._secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    @property
    def secret(self) -> str:
        return self._secret

    def __repr__(self) -> str:
        return f"Credentials(account_sid={self.account_sid!r}, username={self.username!r})"


def _check_secret(secret: str, what: str) -> None:
    """Refuse a secret HTTP basic auth cannot carry, without quoting it.

    A variable holding bytes that are not UTF-8 reaches Python as lone surrogates, and
    encoding those raises a UnicodeEncodeError whose repr contains the whole secret.
    """
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        unencodable = True
    else:
        unencodable = False
    # Raised outside the handler so the UnicodeEncodeError is not its __context__.
    if unencodable:
        raise ConfigurationError(f"{what} is not valid UTF-8 text (its value is not shown)")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in secret):
        raise ConfigurationError(f"{what} contains control characters (its value is not shown)")


def _pick(value: str | None, env: Mapping[str, str], name: str) -> str | None:
    if value is not None:
        return value
    found = env.get(name)
    return found or None


def resolve_credentials(
    account_sid: str | None,
    auth_token: str | None,
    api_key: str | None,
    api_secret: str | None,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """Arguments win over the environment; an API key pair wins over the auth token."""
    environ = os.environ if env is None else env
    account = _pick(account_sid, environ, "TWILIO_ACCOUNT_SID")
    if account is None:
        raise ConfigurationError("no account SID: pass account_sid= or set TWILIO_ACCOUNT_SID")
    if not _ACCOUNT_SID.fullmatch(account):
        raise ConfigurationError("account_sid must be 'AC' followed by 32 hex digits")
    # Explicit arguments decide which scheme applies before the environment is consulted,
    # so Client(sid, token) is never overridden by a stray TWILIO_API_KEY.
    if api_key is not None or (auth_token is None and environ.get("TWILIO_API_KEY")):
        key = _pick(api_key, environ, "TWILIO_API_KEY")
        secret = _pick(api_secret, environ, "TWILIO_API_SECRET")
        if key is None or not _API_KEY_SID.fullmatch(key):
            raise ConfigurationError("api_key must be 'SK' followed by 32 hex digits")
        if secret is None:
            raise ConfigurationError(
                "an API key needs its secret: pass api_secret= or set TWILIO_API_SECRET"
            )
        _check_secret(secret, "the API secret")
        return Credentials(account, key, secret=secret)
    token = _pick(auth_token, environ, "TWILIO_AUTH_TOKEN")
    if token is None:
        raise ConfigurationError(
            "no auth token: pass auth_token= or set TWILIO_AUTH_TOKEN "
            "(or api_key=/api_secret=, TWILIO_API_KEY/TWILIO_API_SECRET)"
        )
    _check_secret(token, "the auth token")
    return Credentials(account, account, secret=token)


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, for comparing origins."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URLs with user info are not accepted")
    port = parts.port or _DEFAULT_PORTS[scheme]
    return scheme, parts.hostname.lower(), port


def _format_origin(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


@attrs.frozen
class Origins:
    """Where each product is reached, and the rewriting of Twilio's canonical URLs to it."""

    by_product: Mapping[str, str]
    # Derived once: allows() runs for every request, and parsing the URL each time cost
    # about a fifth of a fetch's client-side CPU in the concurrency benchmark.
    _prefixes: tuple[str, ...] = attrs.field(init=False)
    _targets: frozenset[tuple[str, str, int]] = attrs.field(init=False)

    @_prefixes.default
    def _origin_prefixes(self) -> tuple[str, ...]:
        # Origins are stored normalised, so "<origin>/" can only start a URL on that origin.
        return tuple(origin + "/" for origin in set(self.by_product.values()))

    @_targets.default
    def _origin_targets(self) -> frozenset[tuple[str, str, int]]:
        return frozenset(origin_of(origin) for origin in self.by_product.values())

    @classmethod
    def build(
        cls,
        *,
        region: str | None,
        edge: str | None,
        base_url: str | None,
    ) -> Origins:
        if base_url is not None:
            try:
                scheme, host, port = origin_of(base_url)
            except ValueError as exc:
                raise ConfigurationError(f"base_url: {exc}") from None
            if urlsplit(base_url).path not in ("", "/"):
                raise ConfigurationError("base_url must be an origin, without a path")
            if scheme == "http" and not is_loopback(host):
                raise ConfigurationError(
                    "base_url: plain http is only allowed for a loopback host; use https"
                )
            origin = _format_origin(scheme, host, port)
            return cls({product: origin for product in PRODUCT_HOSTS})
        for name, value in (("region", region), ("edge", edge)):
            if value is not None and not re.fullmatch(r"[a-z0-9-]+", value):
                raise ConfigurationError(f"{name} must be lowercase letters, digits and '-'")
        if edge is not None and region is None:
            region = "us1"
        origins = {}
        for product, host in PRODUCT_HOSTS.items():
            name, _, domain = host.partition(".")
            parts = [name, edge, region, domain]
            origins[product] = "https://" + ".".join(p for p in parts if p)
        return cls(origins)

    def allows(self, url: str) -> bool:
        """Whether the SDK may send its credentials to this URL."""
        if url.startswith(self._prefixes):
            return True
        try:
            return origin_of(url) in self._targets
        except ValueError:
            return False

    def follow(self, url: str, product: str) -> str:
        """Rewrite a server-supplied absolute URL onto the configured origin, keeping its path
        and query byte for byte; refuse (``ValueError``) any URL that points elsewhere. The
        caller says what the URL was for (the pager: a ``PaginationError``)."""
        try:
            target = origin_of(url)
        except ValueError as exc:
            raise ValueError(f"refusing next-page URL: {exc}") from None
        configured = self.by_product[product]
        canonical = ("https", PRODUCT_HOSTS[product], 443)
        if target != origin_of(configured) and target != canonical:
            raise ValueError(
                f"refusing next-page URL on another origin ({target[0]}://{target[1]}): "
                "credentials are only sent to the configured origin"
            )
        parts = urlsplit(url)
        prefix_length = len(parts.scheme) + 3 + len(parts.netloc)
        return configured + url[prefix_length:]


def user_agent() -> str:
    python = ".".join(str(part) for part in sys.version_info[:3])
    system = f"{platform.system() or 'unknown'} {platform.machine() or 'unknown'}"
    return (
        f"twilio-proxy-async/{__version__} ({system}) Python/{python} aiohttp/{aiohttp.__version__}"
    )
