Feature: A Realm SDK logs in with API keys and creates user keys
  The seed page, "Realm SDK Examples": the Realm SDK can log in with an existing server
  or user API key, and it can create a new user API key for an existing user account.

  The SDK here is the real realm-web 2.x, run by Node.js and configured with nothing but
  this server's base URL and the app's client App ID. npm installs realm-web into a cache
  folder on first use.

  Background:
    Given Node.js and realm-web are available
    And an app with the API key provider enabled
    And the app lets users sign up with email and password
    And the user "ada@example.com" has signed up and logged in with a password

  @S22
  Scenario: realm-web logs in with a server key
    Given the admin has created a server API key named "backend"
    When realm-web logs in with the "backend" key
    Then realm-web's user is the server user of the "backend" key
    And realm-web's user has type "server" and one "api-key" identity

  @S23
  Scenario: realm-web creates a user key for an existing account
    When realm-web logs in as "ada@example.com" and creates a user API key named "laptop"
    Then realm-web received the new key's value
    And realm-web lists the key "laptop" without its value
    And "ada@example.com" has these keys, none showing its value:
      | name   |
      | laptop |

  @S22 @S21
  Scenario: realm-web logs in with a user key
    Given realm-web has logged in as "ada@example.com" and created a user API key named "laptop"
    When realm-web logs in with the "laptop" key
    Then realm-web's user is "ada@example.com"
