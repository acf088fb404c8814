"""Steps of features/provider_configuration.feature: enabling the provider, S4, S7, S14."""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios, then, when

from tests.acceptance.world import World, pattern

pytestmark = pytest.mark.usefixtures("base_url")

scenarios("../../features/provider_configuration.feature")


@then(pattern('the "{provider_type}" provider\'s configuration is empty'))
@then(pattern('the "{provider_type}" provider\'s configuration is still empty'))
def the_configuration_is_empty(world: World, provider_type: str) -> None:
    assert world.provider(provider_type)["config"] == {}


@when(pattern('the admin sets the "{provider_type}" provider\'s configuration option '
              '"{option}" to true'))
def the_admin_sets_an_option(world: World, provider_type: str, option: str) -> None:
    provider = world.provider(provider_type)
    world.response = world.app_call("PATCH", f"/auth_providers/{provider['_id']}",
                                    json={"config": {option: True}})


@when(pattern('the admin adds a provider of type "{provider_type}" named "{name}"'))
def the_admin_adds_a_named_provider(world: World, provider_type: str, name: str) -> None:
    world.response = world.app_call("POST", "/auth_providers",
                                    json={"type": provider_type, "name": name})


@when(pattern('the admin adds a provider of type "{provider_type}" without a name'))
def the_admin_adds_a_provider(world: World, provider_type: str) -> None:
    world.response = world.app_call("POST", "/auth_providers", json={"type": provider_type})


@when(pattern('the admin renames the "{provider_type}" provider to "{name}"'))
def the_admin_renames_a_provider(world: World, provider_type: str, name: str) -> None:
    provider = world.provider(provider_type)
    world.response = world.app_call("PATCH", f"/auth_providers/{provider['_id']}",
                                    json={"name": name})


@then(pattern('the app\'s "{provider_type}" provider is named "{name}"'))
def the_provider_is_named(world: World, provider_type: str, name: str) -> None:
    assert world.provider(provider_type)["name"] == name
