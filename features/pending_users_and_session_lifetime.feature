Feature: An admin confirms pending users, and sets how long an app's sessions last
  A local-userpass provider without autoConfirm keeps each registration pending: this
  server sends no email, so the app's admin confirms it (Admin API user_registrations,
  the console, or `appservices users confirm`). An app may also set its own refresh token
  lifetime (security/refresh_token_expiration), which new sessions get.

  Scenario: A registered user logs in once the admin has confirmed it
    Given a new app
    And the app lets users sign up with email and password, confirmed by the admin
    When "ada@example.com" registers
    Then the app's pending users are "ada@example.com"
    And logging in as "ada@example.com" is refused with status 401 and message "confirmation required"
    When the admin confirms "ada@example.com"
    Then the app has no pending users
    And logging in as "ada@example.com" succeeds

  Scenario: The admin deletes a pending registration
    Given a new app
    And the app lets users sign up with email and password, confirmed by the admin
    And "ada@example.com" has registered
    When the admin deletes the pending registration of "ada@example.com"
    Then the app has no pending users
    And logging in as "ada@example.com" is refused with status 401 and message "unauthorized"

  Scenario: New sessions get the app's refresh token lifetime
    Given an app with the API key provider enabled
    And the admin has created a server API key named "reporting"
    And the server's clock can be moved
    When the admin sets the app's refresh token expiration to 3600 seconds
    Then the app's refresh token expiration is 3600 seconds
    When someone logs in with the "reporting" key
    And the server's clock moves 61 minutes ahead
    Then the refresh token of that session is refused with status 401 and error code "InvalidSession"
