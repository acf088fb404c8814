Feature: User API keys
  The seed page, "User API Keys": application users generate user API keys with the
  Realm SDKs. Each user API key is associated with a single non-anonymous user. Each
  user can associate up to 20 user API keys with their account. Once a key is associated
  with a user account, the user can use the key to authenticate.

  A user manages their own keys through the Client API v2
  (/api/client/v2.0/auth/api_keys), sending the refresh token of their session as the
  SDKs do. sdk_login.feature shows a real SDK doing the same.

  Background:
    Given an app with the API key provider enabled
    And the app lets users sign up with email and password

  @S19 @S2
  Scenario: A user who signed up with email and password creates a key
    Given the user "ada@example.com" has signed up and logged in with a password
    When "ada@example.com" creates a user API key named "laptop"
    Then the request succeeds with status 201
    And the response shows the key's id, its name "laptop", that it is enabled, and its value
    And "ada@example.com" has these keys, none showing its value:
      | name   |
      | laptop |

  @S19
  Scenario: An anonymous user cannot have a key
    Given the app lets users log in anonymously
    And an anonymous user has logged in
    When the anonymous user creates a user API key named "laptop"
    Then the request is refused with status 403 and error code "Forbidden"
    And the error message says "API keys belong to non-anonymous users"

  @S19
  Scenario: A key belongs to its owner only
    Given the user "ada@example.com" has signed up and logged in with a password
    And the user "bob@example.com" has signed up and logged in with a password
    And "ada@example.com" has created a user API key named "laptop"
    When "bob@example.com" fetches the "laptop" key
    Then the request is refused with status 404 and error code "APIKeyNotFound"
    And "bob@example.com" has no keys
    And logging in with the "laptop" key opens a session for "ada@example.com"

  @S20
  Scenario: A user can own up to 20 keys; the 21st is refused
    Given the user "ada@example.com" has signed up and logged in with a password
    And "ada@example.com" has 20 user API keys
    When "ada@example.com" creates a user API key named "one-too-many"
    Then the request is refused with status 400 and error code "LimitExceeded"
    And the error message says "at most 20 API keys"
    And "ada@example.com" still has 20 user API keys

  @S20
  Scenario: The limit of 20 counts each user's keys separately
    Given the user "ada@example.com" has signed up and logged in with a password
    And the user "bob@example.com" has signed up and logged in with a password
    And "ada@example.com" has 20 user API keys
    When "bob@example.com" creates a user API key named "laptop"
    Then the request succeeds with status 201

  @S21
  Scenario: The owner logs in with the key
    Given the user "ada@example.com" has signed up and logged in with a password
    And "ada@example.com" has created a user API key named "laptop"
    When someone logs in with the "laptop" key
    Then the user logged in is "ada@example.com"
    And the profile of that session lists the identities "api-key" and "local-userpass"
