"""Client sessions and their tokens.

A session is one row per refresh token. Access tokens name their session (`iss`) and
every request checks that it still exists, so logging out, disabling or deleting a
key or a user ends every token of the affected sessions at once, on every server.

Revocation holds against logins racing it. A login opens its session in a transaction
whose first write is to its user's row, and everything that revokes (disabling or
deleting the user, or one of its keys) writes or locks that row first too: the two
queue. A revocation that commits first is seen by the login, which re-reads the key
after taking the row and refuses; a login that commits first has its session ended by
the revocation. Every token-authenticated request also checks that the key a session
was opened with is still enabled, and that the provider it came through still is:
disabling a provider ends its sessions (the original kept them; we are stricter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from app import clock
from app.domain import key_values, settings, tokens, users
from app.domain.errors import (
    AuthError,
    Forbidden,
    InvalidSession,
    UserDisabled,
)
from app.domain.ids import ZERO_ID
from app.models import ApiKey, App, AuthProvider, Identity, Session, User
from app.storage import is_object_id, new_object_id
from app.storage.statements import Insert, Select, Statement

# A login that describes no device gets the zero id, as the contract allows.
NO_DEVICE = ZERO_ID
_NOT_FOUND = "invalid session: failed to find refresh token"

# Every login and every token-authenticated call runs some of these: compiled once
# (app.storage.statements).
_INSERT_SESSION = Insert(Session)
# A login's first write when it opens a session: it records the login, counts the
# session about to be opened (`User.sessions_at_most`) and takes the user's row, unless
# the user is disabled or gone or may already hold `bound` sessions (no row changed; then
# `_CLAIM_USER` tells which, and the login counts the user's sessions).
_CLAIM_USER_FOR_SESSION = Statement(
    lambda p: User.update(last_authentication_date=p.now,
                          sessions_at_most=User.sessions_at_most + 1)
    .where((User.id == p.user_id) & (User.disabled == False)  # noqa: E712 (SQL)
           & (User.sessions_at_most < p.bound)),
    now=User.last_authentication_date, user_id=User.id, bound=User.sessions_at_most,
)
# A login's first write when it opens no session (linking), or when the user may be at
# the bound: it records the login and takes the user's row, unless the user is disabled
# or gone (no row changed).
_CLAIM_USER = Statement(
    lambda p: User.update(last_authentication_date=p.now)
    .where((User.id == p.user_id) & (User.disabled == False)),  # noqa: E712 (SQL, not Python)
    now=User.last_authentication_date, user_id=User.id,
)
_USER_EXISTS = Select(
    [User], lambda p: User.select().where(User.id == p.user_id).limit(1), user_id=User.id,
)
# A key's state, read again inside the login's transaction once the user's row is held.
_KEY_BY_ID = Select(
    [ApiKey], lambda p: ApiKey.select().where(ApiKey.id == p.key_id).limit(1),
    key_id=ApiKey.id,
)
# Ends a user's sessions beyond the newest `keep` others than the one just opened (which
# is never among them, even when it shares its second with older ones), reading them
# newest first through the (user, created_at, id) index. Only a login that found its user
# at the bound runs it (`bound_sessions`), with the user's row held.
_TRIM_OLDEST = Statement(
    lambda p: Session.delete().where(Session.id.in_(
        Session.select(Session.id)
        .where((Session.user == p.user_id) & (Session.id != p.session_id))
        .order_by(Session.created_at.desc(), Session.id.desc())
        .offset(p.keep)
    )),
    user_id=Session.user, session_id=Session.id, keep=Session.created_at,
)
# A session with what decides whether it is still good: its user, the key it was opened
# with (when it was) and the provider it came through.
_SESSION_WITH_ITS_GRANTORS = Select(
    [Session, User, App, ApiKey, AuthProvider],
    lambda p: Session.select(Session, User, App, ApiKey, AuthProvider)
    .join(User).switch(Session).join(App).switch(Session)
    .join(ApiKey, peewee.JOIN.LEFT_OUTER).switch(Session)
    .join(AuthProvider, peewee.JOIN.LEFT_OUTER, on=(AuthProvider.id == Session.provider_id))
    .where(Session.id == p.session_id).limit(1),
    session_id=Session.id,
)
_SET_SESSIONS_AT_MOST = Statement(
    lambda p: User.update(sessions_at_most=p.count).where(User.id == p.user_id),
    count=User.sessions_at_most, user_id=User.id,
)
# Bounds from this one up end a tenth more sessions than they must when they trim (see
# `sessions_after_trim`); smaller ones, exactly the oldest beyond the bound.
_TRIM_SLACK_FROM = 100


@dataclass(frozen=True)
class LoginResult:
    access_token: str
    refresh_token: str
    user_id: str
    device_id: str


@dataclass(frozen=True)
class Caller:
    """The user behind a token, and the session the token belongs to."""

    user: User
    session: Session


def open_session(
    app: App,
    user: User,
    identity: Identity,
    device_id: str,
    *,
    api_key: ApiKey | None = None,
    key_digest: str = "",
    anonymous: bool = False,
) -> LoginResult:
    """Record a new session for `user` and return its tokens.

    Call it inside the login's write transaction: it takes the user's row first (see the
    module's docstring), then checks that the user and the key are still good. A key
    login passes the digest of the value it came with: the session records which of the
    key's values (app.domain.key_values) opened it.
    """
    now = clock.timestamp()
    bound = settings.current().max_sessions_per_user
    counted = _CLAIM_USER_FOR_SESSION.execute(now=now, user_id=user.id, bound=bound) == 1
    if not counted:
        claim_user(user, now)  # disabled or gone (raises), or maybe at the bound
    key_roll = 0
    if api_key is not None:
        row = _KEY_BY_ID.first(key_id=api_key.id)
        roll = None if row is None else key_values.roll_of_value(row[0], key_digest, now)
        if roll is None:  # disabled, deleted, expired or rolled meanwhile
            raise AuthError()
        key_roll = roll
    lifetime = tokens.NEVER_SECONDS if anonymous else refresh_token_seconds(app)
    session = Session(
        id=new_object_id(), app=app, user=user, device_id=device_id,
        provider_type=identity.provider_type, provider_id=identity.provider_id,
        identity_id=identity.external_id, api_key=api_key, api_key_roll=key_roll,
        created_at=now,
        expires_at=None if anonymous else now + lifetime,
    )
    _INSERT_SESSION.save(session)
    if not counted:
        bound_sessions(user, keeping=session, bound=bound)
    return _tokens(app, user, session, identity, iat=now, exp=now + lifetime)


def bound_sessions(user: User, *, keeping: Session, bound: int) -> int:
    """Count `user`'s sessions; over `bound`, end the oldest; return how many ended.

    A login runs it when the user's `sessions_at_most` has reached the bound, inside its
    write transaction, after its insert and with the user's row held: logins of one user,
    on any server, take turns here, so each sees the sessions of the ones before it and
    the bound holds exactly once they have committed. The true count is written back, so
    the user's next logins take the cheap path again until it is reached. An ended
    session's tokens stop working as if it had logged out (401 InvalidSession).
    """
    held = Session.select().where(Session.user == user.id).count()
    ended = 0
    if held > bound:
        held = sessions_after_trim(bound)
        ended = _TRIM_OLDEST.execute(user_id=user.id, session_id=keeping.id, keep=held - 1)
    _SET_SESSIONS_AT_MOST.execute(count=held, user_id=user.id)
    return ended


def sessions_after_trim(bound: int) -> int:
    """How many sessions a user over `bound` keeps: the bound itself for small bounds; for
    100 and more, nine tenths of it, so that the next tenth of that user's logins open
    their sessions without counting or deleting any (a script that logs in for every call
    pays for a trim once per `bound // 10` logins, in one statement, not at each login)."""
    return bound if bound < _TRIM_SLACK_FROM else bound - bound // 10


def refresh_token_seconds(app: App) -> int:
    """How long a new session's refresh token of `app` lives: the app's own setting, or
    the server's REFRESH_TOKEN_SECONDS when it has none (app.domain.apps)."""
    own: int | None = app.refresh_token_seconds
    return own if own is not None else settings.current().refresh_token_seconds


def claim_user(user: User, now: int) -> None:
    """Record that `user` logs in now, holding its row until the transaction ends.

    A user disabled or deleted since it was read is refused here: the write waited for
    the change, and then changes no row.
    """
    if not _CLAIM_USER.execute(now=now, user_id=user.id):
        if _USER_EXISTS.first(user_id=user.id) is None:
            raise AuthError()
        raise UserDisabled()


def continue_linked_session(caller: Caller, identity: Identity) -> LoginResult:
    """Answer a linking login from within the caller's own session.

    SDKs keep their refresh token when they link, so a new session would never be used.
    A session that was anonymous stops being endless: the user now has a real identity,
    and its refresh token gets the normal lifetime from now on.
    """
    session, user = caller.session, caller.user
    now = clock.timestamp()
    claim_user(user, now)
    if session.expires_at is None:
        session.expires_at = now + refresh_token_seconds(session.app)
        Session.update(expires_at=session.expires_at).where(Session.id == session.id).execute()
    return _tokens(session.app, user, session, identity, iat=now, exp=session.expires_at)


def _tokens(app: App, user: User, session: Session, identity: Identity, *,
            iat: int, exp: int) -> LoginResult:
    # iat is the `now` that exp was counted from: reading the clock again could cross a
    # second and make the token one second shorter than its configured lifetime.
    refresh_token = tokens.encode("client", {
        "sub": user.id,
        "typ": "refresh",
        "iat": iat,
        "exp": exp,
        "iss": tokens.issuer(),
        "aud": app.client_app_id,
        "baas_id": session.id,
        "baas_device_id": session.device_id,
        "baas_domain_id": app.domain_id,
        "baas_identity": {"id": identity.external_id, "provider_type": identity.provider_type,
                          "provider_id": identity.provider_id},
    })
    return LoginResult(
        access_token=access_token(app, user, session),
        refresh_token=refresh_token,
        user_id=user.id,
        device_id=session.device_id,
    )


def delete_caller(caller: Caller) -> None:
    """Delete the calling user, unless the session came from an API key.

    A key's session may not manage keys; deleting its user would delete every key the
    user has (for a server key: the admin's key itself).
    """
    if caller.session.api_key_id is not None:
        raise Forbidden("a session opened with an API key cannot delete its user")
    if caller.user.type != "normal":  # only its key's sessions remain (schema 4); still
        raise Forbidden("a server API key's user is deleted with its key, by an admin")
    users.delete_user(caller.user)


def access_token(app: App, user: User, session: Session) -> str:
    """Sign a new access token for `session`."""
    now = clock.timestamp()
    claims: dict[str, Any] = {
        "sub": user.id,
        "typ": "access",
        "iat": now,
        "exp": now + settings.current().access_token_seconds,
        # iss/aud are what other backends pin (issue 14); the session moved from `iss`
        # to `baas_id`, as in refresh tokens. The SDKs read only exp, iat and user_data.
        "iss": tokens.issuer(),
        "aud": app.client_app_id,
        "baas_id": session.id,
        "baas_device_id": session.device_id,
        "baas_domain_id": app.domain_id,
    }
    if user.custom_data:
        claims["user_data"] = user.custom_data
    return tokens.encode("client", claims)


def _session_id(claims: dict[str, Any]) -> Any:
    # `baas_id` names the session; access tokens from before issue 14 named it in `iss`.
    return claims["baas_id"] if "baas_id" in claims else claims.get("iss")


def _caller_of(claims: dict[str, Any]) -> Caller:
    return _caller(_session_id(claims), claims.get("sub"), claims.get("aud"))


def _caller(session_id: Any, user_id: Any, audience: Any = None) -> Caller:
    if not isinstance(session_id, str) or not is_object_id(session_id):
        raise InvalidSession(_NOT_FOUND)
    row = _SESSION_WITH_ITS_GRANTORS.first(session_id=session_id)
    if row is None:
        raise InvalidSession(_NOT_FOUND)
    session, user, app, api_key, provider = row
    if session.user_id != user_id:
        raise InvalidSession(_NOT_FOUND)
    # Tokens from before issue 14 have no `aud`; every newer one names its session's app.
    if audience is not None and audience != app.client_app_id:
        raise InvalidSession("invalid session: the token was issued for another app")
    # Revoking deletes the sessions too; these guard the sessions of a login that raced
    # it, and a provider disabled while the session was in use.
    if session.api_key_id is not None:  # then also: expired, or its value rolled (schema 8)
        refusal = key_values.refusal_of_session(api_key, session.api_key_roll, clock.timestamp())
        if refusal is not None:
            raise InvalidSession(f"invalid session: {refusal}")
    if provider is None or provider.disabled:
        raise InvalidSession("invalid session: its authentication provider is disabled")
    if session.expires_at is not None and session.expires_at <= clock.timestamp():
        raise InvalidSession("invalid session: refresh token expired")
    if user.disabled:  # disabling ends sessions; this guards a race with it
        raise UserDisabled()
    return Caller(user, session)


def authenticate_access(token: str) -> Caller:
    """Return the caller of a valid access token whose session still exists."""
    return _caller_of(tokens.decode("client", token, "access"))


def authenticate_refresh(token: str) -> Caller:
    """Return the caller of a valid refresh token whose session still exists."""
    return _caller_of(tokens.decode("client", token, "refresh"))


def app_of_token(token: str) -> App | None:
    """The app of the session a client token (of either kind, expired or not) belongs to.

    None when this server did not sign the token or its session no longer exists. It
    only names the app an error concerned (its `link`); it authenticates nothing.
    """
    claims = tokens.signed_claims("client", token)
    if claims is None:
        return None
    session_id = _session_id(claims)
    if not isinstance(session_id, str) or not is_object_id(session_id):
        return None
    row = _SESSION_WITH_ITS_GRANTORS.first(session_id=session_id)
    return None if row is None else row[2]


def refresh(token: str) -> tuple[str, Caller]:
    """Return a new access token for the session of a refresh token, and its caller."""
    caller = authenticate_refresh(token)
    return access_token(caller.session.app, caller.user, caller.session), caller


@dataclass(frozen=True)
class EndedSession:
    """Whose session a logout ended, as its refresh token said (for its app log entry)."""

    app: App | None  # None: a token from before issue 14, which names no app
    user_id: str | None
    provider_type: str | None


def logout(token: str) -> EndedSession:
    """End the session of a refresh token. An unknown session is an InvalidSession.

    An expired refresh token still ends its session (and, its row being gone, then reads
    "failed to find refresh token", which realm-web's logOut() accepts as done).
    """
    claims = tokens.decode("client", token, "refresh", allow_expired=True)
    session_id = claims.get("baas_id")
    ended = Session.id == session_id
    app = None
    if "aud" in claims:  # tokens since issue 14 name their app: only its session ends
        app = App.get_or_none(App.client_app_id == claims["aud"])
        ended &= Session.app == (app.id if app is not None else "")
    if not isinstance(session_id, str) or not Session.delete().where(ended).execute():
        raise InvalidSession(_NOT_FOUND)
    identity = claims.get("baas_identity")
    provider = identity.get("provider_type") if isinstance(identity, dict) else None
    user_id = claims.get("sub")
    return EndedSession(app, user_id if isinstance(user_id, str) else None,
                        provider if isinstance(provider, str) else None)


def profile(caller: Caller) -> dict[str, Any]:
    """Describe the caller as the SDKs expect (`type` tells a server user from a normal one)."""
    user = caller.user
    return {
        "user_id": user.id,
        "domain_id": caller.session.app.domain_id,
        "type": user.type,
        "identities": [
            {"id": identity.external_id, "provider_type": identity.provider_type,
             "provider_id": identity.provider_id}
            for identity in users.identities_of(user)
        ],
        "data": user.data,
        "custom_data": user.custom_data,
    }


EXPIRED_ANSWER = "token expired"  # the official document's 200 for an expired token


def verify_token(app: App, token: str) -> dict[str, Any] | str:
    """Verify a client access token of this app for an admin, as the original's Admin API does.

    A valid token gives its claims under the names of the official document (`sub`, `exp`,
    `iat`, `iss`, `domain_id`, `device_id`, and `custom_user_data` when the token carries
    some); a correctly signed one past its expiry gives the string "token expired" (200,
    as documented); anything else is InvalidSession "invalid session".

    Stricter than the original on purpose: a token whose session has ended (its user
    logged out, disabled or deleted, or its key or provider disabled) stops verifying at
    once, as it stops working for every other request.
    """
    try:
        claims = tokens.decode("client", token, "access", allow_expired=True)
    except InvalidSession:
        raise InvalidSession() from None
    if claims.get("baas_domain_id") != app.domain_id:  # another app's token
        raise InvalidSession()
    if claims["exp"] <= clock.timestamp():
        return EXPIRED_ANSWER
    try:
        _caller_of(claims)
    except (InvalidSession, UserDisabled):
        raise InvalidSession() from None
    verified: dict[str, Any] = {
        "sub": claims["sub"], "exp": claims["exp"], "iat": claims["iat"],
        # `iss` here keeps naming the session, as the official document's answer does.
        "iss": _session_id(claims), "domain_id": claims.get("baas_domain_id"),
        "device_id": claims.get("baas_device_id"),
    }
    if claims.get("user_data"):
        verified["custom_user_data"] = claims["user_data"]
    return verified
