"""Apps: create (with the api-key provider present but disabled), list, get, delete; the
lifetime of their sessions' refresh tokens."""

from __future__ import annotations

import re
import secrets as _random
from collections.abc import Collection
from dataclasses import dataclass

import peewee

from app import clock
from app.config import MAX_REFRESH_SECONDS, MIN_REFRESH_SECONDS
from app.domain import providers, sessions
from app.domain.errors import AppAlreadyExists, AppNotFound, InvalidParameter
from app.domain.ids import get_or_raise
from app.models import App, Group
from app.storage import new_object_id, write_transaction

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")

# Where and how an app is deployed, as the Admin API describes it. Nothing here runs in a
# cloud region: the values are kept and shown (the Client API's location answer carries
# `location` and `deployment_model`) so that clients reading them find what they set.
DEPLOYMENT_MODELS = ("GLOBAL", "LOCAL")
ENVIRONMENTS = ("", "development", "testing", "qa", "production")  # "": none chosen
LOCATIONS = ("US-VA", "US-OR", "DE-FF", "IE", "AU", "IN-MB", "SG", "BR-SP")
# Each cloud region of the official document and the location it belongs to (the
# original's CLI maps them the same way). A location's own region, used when only the
# location is given, is the first one listed for it.
REGION_LOCATIONS = {
    "aws-us-east-1": "US-VA", "aws-us-west-2": "US-OR", "aws-eu-central-1": "DE-FF",
    "aws-eu-west-1": "IE", "aws-ap-southeast-2": "AU", "aws-ap-south-1": "IN-MB",
    "aws-ap-southeast-1": "SG", "aws-sa-east-1": "BR-SP", "aws-us-east-2": "US-VA",
    "aws-eu-west-2": "IE",
    "azure-eastus2": "US-VA", "azure-westus": "US-OR", "azure-westeurope": "DE-FF",
    "azure-eastasia": "IN-MB", "azure-southeastasia": "SG",
    "gcp-us-central1": "US-VA", "gcp-us-east4": "US-VA", "gcp-us-west1": "US-OR",
    "gcp-europe-west1": "DE-FF", "gcp-asia-south1": "IN-MB",
}
PROVIDER_REGIONS = tuple(REGION_LOCATIONS)
LOCATION_REGIONS = {location: next(region for region, where in REGION_LOCATIONS.items()
                                   if where == location) for location in LOCATIONS}
# What an app gets when its creator says nothing (and what apps made before these
# settings could be chosen keep).
LOCATION = "US-VA"
PROVIDER_REGION = LOCATION_REGIONS[LOCATION]
DEPLOYMENT_MODEL = "GLOBAL"
ENVIRONMENT = ""

# Special apps of the original's Atlas UI (triggers, Data API, Device Sync) have their own
# products; an app made through this API is `standard` unless its creator says otherwise.
PRODUCTS = ("standard", "atlas", "data-api", "device-sync")
PRODUCT = "standard"


@dataclass(frozen=True)
class Deployment:
    """Where and how an app is deployed; None leaves a setting to its default."""

    location: str | None = None
    provider_region: str | None = None
    deployment_model: str | None = None
    environment: str | None = None

    def resolved(self) -> Deployment:
        """Check each setting; fill in what is missing, a location from its region and the
        reverse, so that the two agree."""
        _one_of("location", self.location, LOCATIONS)
        _one_of("provider_region", self.provider_region, PROVIDER_REGIONS)
        _one_of("deployment_model", self.deployment_model, DEPLOYMENT_MODELS)
        _one_of("environment", self.environment, ENVIRONMENTS)
        location = self.location
        region = self.provider_region
        if location is None:
            location = LOCATION if region is None else REGION_LOCATIONS[region]
        if region is None:
            region = LOCATION_REGIONS[location]
        return Deployment(location, region, self.deployment_model or DEPLOYMENT_MODEL,
                          ENVIRONMENT if self.environment is None else self.environment)


def _one_of(field: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidParameter(
            f"invalid field '{field}': must be one of: "
            + ", ".join(repr(choice) if not choice else choice for choice in allowed)
        )


def validate_name(name: str) -> None:
    """Refuse an app name the original would refuse (it becomes part of the client App ID)."""
    if not NAME_PATTERN.fullmatch(name):  # not match(): "$" lets a trailing "\n" through
        raise InvalidParameter(
            "app name must start with a letter and be 1-32 letters, digits, '_' or '-'"
        )


def _new_client_app_id(name: str) -> str:
    suffix = "".join(_random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5))
    return f"{name.lower()}-{suffix}"


def list_apps(group: Group, products: Collection[str] | None = None) -> list[App]:
    """Return the group's apps, oldest first: all of them, or those of `products`."""
    query = App.select().where(App.group == group)
    if products is not None:
        for product in products:
            _one_of("product", product, PRODUCTS)
        query = query.where(App.product.in_(list(products)))
    return list(query.order_by(App.id))


def create_app(group: Group, name: str, deployment: Deployment | None = None,
               product: str | None = None) -> App:
    """Create an app in `group` with the `api-key` provider present and disabled."""
    validate_name(name)
    where = (deployment or Deployment()).resolved()
    _one_of("product", product, PRODUCTS)
    now = clock.timestamp()
    for _ in range(5):  # a clash of random suffixes is unlikely; retry a few times anyway
        try:
            with write_transaction():
                if App.select().where((App.group == group) & (App.name == name)).exists():
                    raise AppAlreadyExists(f"an app named '{name}' already exists")
                app = App.create(
                    id=new_object_id(),
                    group=group,
                    name=name,
                    client_app_id=_new_client_app_id(name),
                    domain_id=new_object_id(),
                    location=where.location,
                    provider_region=where.provider_region,
                    deployment_model=where.deployment_model,
                    environment=where.environment,
                    product=product or PRODUCT,
                    created_at=now,
                    last_modified=now,
                )
                providers.add_default_providers(app)
                return app
        except peewee.IntegrityError:
            if App.select().where((App.group == group) & (App.name == name)).exists():
                raise AppAlreadyExists(f"an app named '{name}' already exists") from None
    raise AppAlreadyExists("could not allocate a unique client App ID; try again")


def get_app(group: Group, app_id: str) -> App:
    """Return the group's app with `app_id` (its `_id`, never the client App ID)."""
    return get_or_raise(App.select().where(App.group == group), app_id, AppNotFound)


def delete_app(app: App) -> None:
    """Delete the app and everything in it (providers, users, keys, sessions)."""
    with write_transaction():
        app.delete_instance()  # foreign keys cascade


def refresh_token_expiration(app: App) -> int:
    """Return how long the app's new sessions' refresh tokens live, in seconds."""
    return sessions.refresh_token_seconds(app)


def set_refresh_token_expiration(app: App, seconds: object) -> None:
    """Set the lifetime of the app's new sessions' refresh tokens (30 minutes to 5 years).

    Sessions opened before keep the expiry they were given. Anonymous users' sessions
    never expire, whatever this says, as in the original.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidParameter("'expiration_time_seconds' must be a number of seconds")
    if not MIN_REFRESH_SECONDS <= seconds <= MAX_REFRESH_SECONDS:  # NaN is neither
        raise InvalidParameter(
            f"'expiration_time_seconds' must be between {MIN_REFRESH_SECONDS} (30 minutes) "
            f"and {MAX_REFRESH_SECONDS} (5 years)"
        )
    if seconds != int(seconds):
        raise InvalidParameter("'expiration_time_seconds' must be a whole number of seconds")
    now = clock.timestamp()
    App.update(refresh_token_seconds=int(seconds), last_modified=now).where(
        App.id == app.id).execute()
    app.refresh_token_seconds, app.last_modified = int(seconds), now
