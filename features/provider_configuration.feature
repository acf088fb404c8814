Feature: The API key provider is enabled before use and has no configuration
  The seed page, "Enable API Key Authentication": to work with API key users you must
  first enable the API key authentication provider, and you must enable it before you
  can create an API key. The provider does not have any configuration options. And the
  tip: the name of an authentication provider is always the same as its type.

  As in Atlas App Services, a new app already has its "api-key" provider, disabled.
  The admin manages providers through the Admin API v3
  (/api/admin/v3.0/groups/{groupId}/apps/{appId}/auth_providers).

  Background:
    Given a new app

  @S4 @S14
  Scenario: A new app's API key provider is disabled and has an empty configuration
    Then the app's "api-key" provider is disabled
    And the "api-key" provider's configuration is empty

  @S4 @S14
  Scenario: Server keys can be created only once the provider is enabled
    When the admin creates a server API key named "reporting"
    Then the request is refused with status 400 and error code "AuthProviderNotFound"
    And the error message says "enable it before creating API keys"
    And the app has no server API keys
    When the admin enables the "api-key" provider
    And the admin creates a server API key named "reporting"
    Then the request succeeds with status 201
    And logging in with the "reporting" key succeeds
    And the "api-key" provider's configuration is still empty

  @S4
  Scenario: Logging in with a key is refused while the provider is disabled
    Given the admin has enabled the "api-key" provider
    And the admin has created a server API key named "reporting"
    When the admin disables the "api-key" provider
    Then logging in with the "reporting" key is refused with status 401 and error code "AuthProviderNotFound"
    And the error message says "authentication via 'api-key' is unsupported"
    When the admin enables the "api-key" provider
    Then logging in with the "reporting" key succeeds

  @S4
  Scenario: A user cannot create a key while the provider is disabled
    Given the app lets users sign up with email and password
    And the user "ada@example.com" has signed up and logged in with a password
    When "ada@example.com" creates a user API key named "laptop"
    Then the request is refused with status 400 and error code "AuthProviderNotFound"
    When the admin enables the "api-key" provider
    And "ada@example.com" creates a user API key named "laptop"
    Then the request succeeds with status 201

  @S4
  Scenario: The API key provider takes no configuration options
    When the admin sets the "api-key" provider's configuration option "autoConfirm" to true
    Then the request is refused with status 400 and error code "InvalidParameter"
    And the error message says "has no configuration options"
    And the "api-key" provider's configuration is still empty

  @S7
  Scenario Outline: A provider whose name differs from its type is refused
    When the admin adds a provider of type "<type>" named "<name>"
    Then the request is refused with status 400 and error code "InvalidParameter"
    And the error message says "name must be the same as its type"

    Examples:
      | type           | name      |
      | anon-user      | guests    |
      | local-userpass | passwords |

  @S7
  Scenario: A provider added without a name is named after its type
    When the admin adds a provider of type "anon-user" without a name
    Then the request succeeds with status 201
    And the app's "anon-user" provider is named "anon-user"

  @S7
  Scenario: The API key provider cannot be renamed
    When the admin renames the "api-key" provider to "keys"
    Then the request is refused with status 400 and error code "InvalidParameter"
    And the error message says "name must be the same as its type"
    And the app's "api-key" provider is named "api-key"
