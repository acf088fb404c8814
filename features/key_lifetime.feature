Feature: API keys do not expire; access tokens do
  The seed page, "Overview": API keys do not expire automatically. The sessions a key
  opens follow the usual token lifetimes, like any other login: an access token lasts 30
  minutes and the client refreshes it. The key itself keeps working until it is disabled
  or deleted.

  These scenarios move the server's clock instead of waiting. The server must run with
  APPSERVICES_TEST_CLOCK=1 (the suite's own servers do); the clock is back at real time
  after each scenario.

  Background:
    Given the server's clock can be moved
    And an app with the API key provider enabled
    And the app lets users sign up with email and password
    And the admin has created a server API key named "reporting"
    And the user "ada@example.com" has signed up and logged in with a password
    And "ada@example.com" has created a user API key named "laptop"

  @S3
  Scenario Outline: A key of either kind still logs in ten years later
    When the server's clock moves 10 years ahead
    Then logging in with the "<key>" key succeeds
    And the access token of that new session reads the profile

    Examples:
      | kind   | key       |
      | server | reporting |
      | user   | laptop    |

  @S3
  Scenario: The access token of a key login expires after 30 minutes; the key does not
    Given someone has logged in with the "reporting" key
    When the server's clock moves 29 minutes ahead
    Then the access token of the earlier session still reads the profile
    When the server's clock moves 2 minutes ahead
    Then the access token of the earlier session is refused with status 401, error code "InvalidSession" and a message containing "access token expired"
    And the refresh token of the earlier session still gets a new access token
    When the server's clock moves 10 years ahead
    Then logging in with the "reporting" key succeeds
    And the access token of that new session reads the profile
