Feature: Logging in with an API key
  The seed page, "Overview": the API Key authentication provider allows users to log in
  using generated keys. There are two kinds: server API keys, associated with server
  users and created by an admin, and user API keys, created by application users.

  A client logs in the way the Realm SDKs do, through the Client API v2:
  POST /api/client/v2.0/app/{client App ID}/auth/providers/api-key/login with {"key": ...}.
  A key that has been disabled or deleted no longer logs in, and the refusal never says
  which of the two it was, or whether the key ever existed.

  Background:
    Given an app with the API key provider enabled
    And the app lets users sign up with email and password
    And the user "ada@example.com" has signed up and logged in with a password
    And the admin has created a server API key named "reporting"
    And "ada@example.com" has created a user API key named "laptop"

  @S1 @S2
  Scenario: Logging in with a server key opens a session for its server user
    When someone logs in with the "reporting" key
    Then the login succeeds with an access token, a refresh token, a user id and a device id
    And the user logged in is the server user of the "reporting" key

  @S1 @S2 @S21
  Scenario: Logging in with a user key opens a session for the key's owner
    When someone logs in with the "laptop" key
    Then the login succeeds with an access token, a refresh token, a user id and a device id
    And the user logged in is "ada@example.com"

  @S1
  Scenario: A key that was never issued is refused
    When someone logs in with a key that was never issued
    Then the login is refused with status 401, error code "AuthError" and message "unauthorized"

  @S1 @S2
  Scenario Outline: A disabled key is refused until it is enabled again
    Given someone has logged in with the "<key>" key
    When <owner> disables the "<key>" key
    Then logging in with the "<key>" key is refused with status 401, error code "AuthError" and message "unauthorized"
    And the session opened earlier with the key has ended
    When <owner> enables the "<key>" key
    Then logging in with the "<key>" key succeeds

    Examples:
      | kind   | key       | owner             |
      | server | reporting | the admin         |
      | user   | laptop    | "ada@example.com" |

  @S1 @S2
  Scenario Outline: A deleted key is refused
    Given someone has logged in with the "<key>" key
    When <owner> deletes the "<key>" key
    Then logging in with the "<key>" key is refused with status 401, error code "AuthError" and message "unauthorized"
    And the session opened earlier with the key has ended

    Examples:
      | kind   | key       | owner             |
      | server | reporting | the admin         |
      | user   | laptop    | "ada@example.com" |

  @S1
  Scenario: A refused login names its request, so that the admin can find it
    The original's errors carry a "link" to the app's log entry for the request; the SDKs
    hand it over (realm-dotnet's HelpLink, realm-dart's linkToServerLogs) and their tests
    check that it holds "logs?co_id=". The correlation id is also in the response's
    X-Appservices-Request-Id header and at the end of the request's access log line.

    When the admin disables the "reporting" key
    And someone logs in with the "reporting" key
    Then the login is refused with status 401, error code "AuthError" and message "unauthorized"
    And the error links to the app's log entry for the request named in its "X-Appservices-Request-Id" header
    And whoever opens the link is sent to sign in to the console, and then back to the request's page
