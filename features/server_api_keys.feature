Feature: Server API keys
  The seed page, "Server API Keys": server API keys are generated in a server-side
  context (the App Services CLI, API or UI), and creating one also creates an associated
  server user. A server key can be given to external applications and services so that
  they authenticate directly. An app can have up to 100 server API keys. The key's value
  must be copied as soon as the key is created: it can never be retrieved afterwards.

  Here the admin uses the Admin API's "Create a new API key" endpoint,
  POST /api/admin/v3.0/groups/{groupId}/apps/{appId}/api_keys.
  (The CLI's way is in command_line.feature; the UI's in admin_console.feature.)

  Background:
    Given an app with the API key provider enabled

  @S18 @S2
  Scenario: The admin creates a server key through the Admin API
    When the admin creates a server API key named "reporting"
    Then the request succeeds with status 201
    And the response shows the key's id, its name "reporting", that it is enabled, and its value

  @S18
  Scenario: Server key names are unique within an app
    Given the admin has created a server API key named "reporting"
    When the admin creates a server API key named "reporting"
    Then the request is refused with status 409 and error code "APIKeyAlreadyExists"
    And the app still has 1 server API key

  @S11 @S9
  Scenario: Each server key comes with its own server user
    Given the app has no users
    When the admin creates a server API key named "reporting"
    And the admin creates a server API key named "billing"
    Then the app's users are:
      | type   | identity | data           |
      | server | api-key  | name=reporting |
      | server | api-key  | name=billing   |
    And each server user's "api-key" identity is the id of the key of that name

  @S15
  Scenario: The key's value is shown once, at creation, and never again
    When the admin creates a server API key named "reporting"
    Then the response shows the key's id, its name "reporting", that it is enabled, and its value
    When the admin fetches the "reporting" key
    Then the response shows the key's id, its name "reporting", that it is enabled, and no value
    When the admin lists the app's server API keys
    Then no key in the list shows a value
    And no response after the one that created the "reporting" key contains its value
    And logging in with the "reporting" key, copied at creation, succeeds

  @S13
  Scenario: An app holds up to 100 server keys; the 101st is refused and nothing is half-made
    Given the app has 100 server API keys
    When the admin creates a server API key named "one-too-many"
    Then the request is refused with status 400 and error code "LimitExceeded"
    And the error message says "at most 100 server API keys"
    And the app still has 100 server API keys
    And the app still has 100 server users
    And no server API key is named "one-too-many"

  @S12 @S1
  Scenario: An external service logs in with nothing but the key
    Given the admin has created a server API key named "billing-service"
    When a separate process that knows only the server's URL, the app's client App ID and the "billing-service" key logs in
    Then that process receives an access token and a refresh token
    And the profile that process reads is the server user of the "billing-service" key
