Feature: Rolling a server key
  Our extension (issue 14): an admin gives a server key a new value without making a new
  key. The key keeps its id and its server user (the same user id, identities and custom
  data); the new value is shown once, as at creation. The old value keeps logging in for
  the grace period the admin chooses (none to seven days, none by default), then never
  again, and the sessions it opened end with it. A key may also be made with an expiry;
  without one it never expires, as the seed page promises.

  These scenarios move the server's clock instead of waiting. The server must run with
  APPSERVICES_TEST_CLOCK=1 (the suite's own servers do); the clock is back at real time
  after each scenario.

  Background:
    Given the server's clock can be moved
    And an app with the API key provider enabled
    And the admin has created a server API key named "reporting"
    And someone has logged in with the "reporting" key

  Scenario: The new value logs in at once, as the same server user
    When the admin rolls the "reporting" key
    Then the roll shows the key's id, its name "reporting" and a new value
    And logging in with the new value of the "reporting" key succeeds as the same server user
    And the app still has 1 server API key
    And the app still has 1 server users

  Scenario: Without a grace period the old value and its sessions stop at once
    When the admin rolls the "reporting" key
    Then logging in with the "reporting" key is refused with status 401, error code "AuthError" and message "unauthorized"
    And the refresh token of the earlier session is refused with status 401 and error code "InvalidSession"
    And logging in with the new value of the "reporting" key succeeds as the same server user

  Scenario: During the grace period the old value still logs in, and never after
    When the admin rolls the "reporting" key with a grace period of 3600 seconds
    Then logging in with the "reporting" key succeeds
    And logging in with the new value of the "reporting" key succeeds as the same server user
    When the server's clock moves 59 minutes ahead
    Then logging in with the "reporting" key succeeds
    And the refresh token of the earlier session still gets a new access token
    When the server's clock moves 2 minutes ahead
    Then logging in with the "reporting" key is refused with status 401, error code "AuthError" and message "unauthorized"
    And the refresh token of the earlier session is refused with status 401 and error code "InvalidSession"
    And logging in with the new value of the "reporting" key succeeds as the same server user

  Scenario: A grace period longer than seven days is refused
    When the admin rolls the "reporting" key with a grace period of 604801 seconds
    Then the request is refused with status 400 and error code "InvalidParameter"
    And logging in with the "reporting" key succeeds

  Scenario: A key made with an expiry is refused once it has passed, like a disabled one
    When the admin creates a server API key named "nightly" that expires in 3600 seconds
    Then the key list shows when "nightly" expires
    And logging in with the "nightly" key succeeds
    When the server's clock moves 61 minutes ahead
    Then logging in with the "nightly" key is refused with status 401, error code "AuthError" and message "unauthorized"
    And the refresh token of that session is refused with status 401 and error code "InvalidSession"

  @S3
  Scenario: A key made without an expiry still never expires
    When the server's clock moves 10 years ahead
    Then logging in with the "reporting" key succeeds
    And the key list shows no expiry for "reporting"
