"""Apprise URLs: `${ENV_VAR}` references resolved only when sending, secrets masked for showing.

Apprise hides a URL's password when it prints one, but not custom header values (`+X-Token=`)
nor, in its debug log, much else; destinations are shown on pages and in stored errors, so
masking them is aligna's own job (DESIGN: "Secrets masking is aligna's own job").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from aligna.channels.masking import MASK, mask_secrets
from aligna.measure.secrets import REFERENCE, Resolver

# Query arguments whose value is a secret by their name (after any +, - or : prefix).
SECRET_NAME = re.compile(
    r"token|key|secret|pass|pwd|auth|webhook|signature|credential|cookie|bearer|session"
    r"|^sig$|^code$",  # Power Automate's and Azure Functions' keys in their web addresses
    re.I,
)
# A path segment that looks like a token: long, of URL-safe characters, letters and digits.
TOKEN_LIKE = re.compile(r"(?=[^/]*[A-Za-z])(?=[^/]*\d)[A-Za-z0-9_.~:-]{16,}")
# In web addresses, everything after one of these segments is the hook's secret part
# (hooks.slack.com/services/T/B/C, discord.com/api/webhooks/id/token, Teams' webhookb2/...).
SECRET_AFTER = frozenset(
    {"services", "webhook", "webhooks", "webhookb2", "incomingwebhook", "hook", "hooks"}
)
# Characters a resolved value may keep unquoted: a Telegram bot token's `:` stays readable.
QUOTE_SAFE = ":"
# A part written in clear shorter than this is masked in the URL but not searched for in
# error text, where it would mask every matching letter ("b" in a path) and hide nothing.
MIN_TEXT_SECRET = 4


@dataclass(frozen=True)
class Layout:
    """Where a scheme keeps its credentials besides the password and secret query arguments."""

    user: bool = False  # the user part is a key (pushover://user_key@token)
    host: bool = False  # the host part is a token (slack://TokenA/...)
    path: bool = False  # path segments are tokens, except targets (#channel, @user)


# Well-known services that carry tokens in the host and path rather than in a password.
LAYOUTS: dict[str, Layout] = {
    "slack": Layout(host=True, path=True),
    "discord": Layout(host=True, path=True),
    "msteams": Layout(host=True, path=True),
    "workflow": Layout(path=True),
    "workflows": Layout(path=True),
    "gchat": Layout(path=True),
    "tgram": Layout(host=True),
    "pover": Layout(user=True, host=True),
    "gotify": Layout(path=True),
    "gotifys": Layout(path=True),
    "mmost": Layout(path=True),
    "mmosts": Layout(path=True),
    "zulip": Layout(path=True),
    "ifttt": Layout(user=True),
    "pbul": Layout(host=True),
    "join": Layout(host=True),
    "opsgenie": Layout(host=True),
    "pagerduty": Layout(user=True, host=True),
    "wxteams": Layout(host=True),
    "webex": Layout(host=True),
    "line": Layout(host=True),
    "apprise": Layout(path=True),
    "apprises": Layout(path=True),
}
TARGET_PREFIXES = ("#", "@", "%23", "%40")


@dataclass(frozen=True)
class ResolvedUrl:
    """A destination's URL ready for Apprise, and the secret values read into it."""

    url: str
    secrets: frozenset[str]


def resolve_url(
    url: str, *, name: str = "apprise destination", environ: Mapping[str, str] | None = None
) -> ResolvedUrl:
    """The URL with its `${VAR}` references replaced; raises SecretError naming a missing one."""
    resolver = Resolver(name, environ)

    def replace(match: re.Match[str]) -> str:
        # Resolving through measure's Resolver keeps one wording for a missing variable; the
        # value is quoted, so a secret holding `@`, `/` or `&` cannot break the URL apart.
        return quote(resolver.text(match.group(0), "the url"), safe=QUOTE_SAFE)

    resolved = REFERENCE.sub(replace, url)
    secrets = set(resolver.secrets)
    secrets.update(quote(secret, safe=QUOTE_SAFE) for secret in resolver.secrets)
    secrets.update(part for part in url_secrets(resolved) if len(part) >= MIN_TEXT_SECRET)
    return ResolvedUrl(url=resolved, secrets=frozenset(secrets))


def mask_apprise_url(url: str, secrets: Iterable[str] = ()) -> str:
    """The URL fit to show: passwords, tokens, header values and the given secrets masked."""
    masked, _ = _mask(url)
    return mask_secrets(masked, secrets)


def url_secrets(url: str) -> list[str]:
    """The secret parts written in clear in a URL, as written and unquoted, for masking text."""
    _, found = _mask(url)
    forms = set(found) | {unquote(part) for part in found}
    return sorted(form for form in forms if form)


def _mask(url: str) -> tuple[str, list[str]]:
    """The masked URL and the secret parts it replaced."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url, []
    layout = LAYOUTS.get(scheme.lower(), Layout())
    found: list[str] = []

    def hide(part: str) -> str:
        if not part or _only_references(part):
            return part  # a `${VAR}` names a secret; it is not one
        found.append(part)
        return MASK

    before, qmark, query = rest.partition("?")
    netloc, slash, path = before.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        user = hide(user) if layout.user else user
        userinfo = user + (colon + hide(password) if colon else "")
    if layout.host:
        hostport = hide(hostport)
    segments = path.split("/") if slash else []
    generic = not layout.path
    after_marker = False
    for index, segment in enumerate(segments):
        if (layout.path and not segment.startswith(TARGET_PREFIXES)) or (
            generic and (after_marker or TOKEN_LIKE.fullmatch(segment))
        ):
            segments[index] = hide(segment)
        after_marker = after_marker or segment.lower() in SECRET_AFTER
    masked = f"{scheme}://{userinfo}{at}{hostport}"
    if slash:
        masked += "/" + "/".join(segments)
    if qmark:
        masked += "?" + "&".join(_mask_argument(arg, hide) for arg in query.split("&"))
    return masked, found


def _mask_argument(argument: str, hide: Callable[[str], str]) -> str:
    """One `name=value` query argument, its value hidden when it is a header or secret-named."""
    name, equals, value = argument.partition("=")
    bare = unquote(name).lstrip("+-:")
    if equals and (unquote(name).startswith("+") or SECRET_NAME.search(bare)):
        return f"{name}={hide(value)}"
    return argument


def _only_references(part: str) -> bool:
    """Whether a part consists of `${VAR}` references only."""
    return REFERENCE.sub("", part) == "" and REFERENCE.search(part) is not None
