Feature: Following a key in the app's logs
  Issue 15: each app keeps a log of what concerns authentication, in the original's shape
  (Admin API: GET /groups/{groupId}/apps/{appId}/logs). Every login, refresh and logout is
  an AUTH entry, failures included, with the device the client described; every key
  created, enabled, disabled, deleted or rolled is an API_KEY entry naming the key (by
  name and id) and, when an admin did it, the admin's key (by its public key). The link
  of every error finds the request's entry. Entries are kept LOG_RETENTION_DAYS (10 by
  default) and then pruned. No entry holds a key's value, a token or a password.

  A successful request's entry may take up to APP_LOG_BATCH_MS (100 ms) to reach another
  server process, so the steps read the log until it is there (for at most 10 seconds); a
  failed request's entry is written before its answer leaves.

  Background:
    Given an app with the API key provider enabled
    And the admin has created a server API key named "reporting"

  Scenario: A key login is an AUTH entry with the device it described
    When someone logs in with the "reporting" key from this device:
      | platform | platformVersion | sdk       | sdkVersion |
      | chrome   | 124.0.1         | Realm Web | 2.0.0      |
    Then that request is in the app's log as one "AUTH" entry with status 200
    And the entry says "login" through the "api-key" provider
    And the entry's user is the server user of the "reporting" key
    And the entry shows the device:
      | platform | platform_version | sdk_name  | sdk_version |
      | chrome   | 124.0.1          | Realm Web | 2.0.0       |

  Scenario: The link of a wrong key's error finds exactly its entry
    When someone logs in with a key that was never issued
    Then the login is refused with status 401, error code "AuthError" and message "unauthorized"
    And the error's link, followed through the Admin API, finds exactly that request's entry
    And the entry says "login" through the "api-key" provider
    And the entry shows the error the client got, and no user

  Scenario: An admin disabling a key is an API_KEY entry naming the admin's key
    When the admin disables the "reporting" key
    Then that request is in the app's log as one "API_KEY" entry with status 204
    And the entry's messages say "disable" the "reporting" key, by the admin's key
    And the entry's user is the server user of the "reporting" key
    When someone logs in with the "reporting" key
    Then the login is refused with status 401, error code "AuthError" and message "unauthorized"
    And the error's link, followed through the Admin API, finds exactly that request's entry
    And the entry shows the error the client got, and no user

  Scenario: Only the errors, or only one type of entry
    Given someone has logged in with the "reporting" key
    When someone logs in with a key that was never issued
    And the admin disables the "reporting" key
    Then the app's log lists, newest first:
      | type    | event                       | status        |
      | API_KEY | disable API key 'reporting' | 204           |
      | AUTH    | login api-key               | 401 AuthError |
      | AUTH    | login api-key               | 200           |
      | API_KEY | create API key 'reporting'  | 201           |
    And the app's log asked for "errors_only=true" lists:
      | type | event         | status        |
      | AUTH | login api-key | 401 AuthError |
    And the app's log asked for "type=API_KEY" lists:
      | type    | event                       | status |
      | API_KEY | disable API key 'reporting' | 204    |
      | API_KEY | create API key 'reporting'  | 201    |
    And the app's log asked for "type=AUTH&errors_only=true" lists:
      | type | event         | status        |
      | AUTH | login api-key | 401 AuthError |
    And the app's log asked for "type=FUNCTION" lists nothing

  Scenario: Entries older than LOG_RETENTION_DAYS are pruned once the clock passes them
    The suite's servers prune every second (PRUNE_INTERVAL_SECONDS=1) and keep entries the
    default 10 days; another deployment prunes every PRUNE_INTERVAL_SECONDS (60 by
    default), so the last step waits for up to 90 seconds.

    Given the server's clock can be moved
    And someone has logged in with the "reporting" key
    When the server's clock moves 9 days ahead
    And someone logs in with the "reporting" key
    Then the app's log lists, newest first:
      | type    | event                      | status |
      | AUTH    | login api-key              | 200    |
      | AUTH    | login api-key              | 200    |
      | API_KEY | create API key 'reporting' | 201    |
    When the server's clock moves 2 days ahead
    Then once the pruner has run, the app's log lists:
      | type | event         | status |
      | AUTH | login api-key | 200    |

  Scenario: No entry holds a key's value, a token or a password
    Given the app lets users sign up with email and password
    And the user "ada@example.com" has signed up and logged in with a password
    And "ada@example.com" has created a user API key named "laptop"
    And someone has logged in with the "laptop" key
    When someone logs in with the "reporting" key with its last character changed
    And the admin deletes the "reporting" key
    And "ada@example.com" disables the "laptop" key
    Then the app's log lists, newest first:
      | type    | event                      | status        |
      | API_KEY | disable API key 'laptop'   | 204           |
      | API_KEY | delete API key 'reporting' | 204           |
      | AUTH    | login api-key              | 401 AuthError |
      | AUTH    | login api-key              | 200           |
      | API_KEY | create API key 'laptop'    | 201           |
      | AUTH    | login local-userpass       | 200           |
      | API_KEY | create API key 'reporting' | 201           |
    And no entry of the app's log holds a key's value, a token or the password
