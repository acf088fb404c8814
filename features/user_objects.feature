Feature: Every user has a user object, and its type tells server-key users apart
  The seed page, "API Key User Objects": every App Services user has a unique metadata
  object. In API key user objects the type field has the value "server", and the object
  has the fields id, type, data, custom_data and identities. You can use this field to
  evaluate if requests come from API keys.

  This server runs no Functions or rule expressions to hand the object to; the object is
  what clients and admins read: the Client API profile (GET /api/client/v2.0/auth/profile,
  where the id is called "user_id") and the Admin API's users
  (GET /api/admin/v3.0/groups/{groupId}/apps/{appId}/users, where it is called "_id").
  Note that only server keys give type "server": a user key logs its owner in, a
  "normal" user.

  Background:
    Given an app with the API key provider enabled
    And the app lets users sign up with email and password
    And the admin has created a server API key named "reporting"

  @S9 @S8
  Scenario: The user object of a server key has type "server"
    When someone logs in with the "reporting" key
    Then the profile of that session has the fields user_id, domain_id, type, data, custom_data and identities
    And its type is "server"
    And its identities are one "api-key" identity whose id is the "reporting" key's id
    And its data gives the name "reporting"

  @S10 @S9
  Scenario Outline: The type field tells whether a session was opened with a server key
    Given the user "ada@example.com" has signed up and logged in with a password
    And "ada@example.com" has created a user API key named "laptop"
    When a client logs in with <credentials>
    Then the profile of that session has type "<type>"

    Examples:
      | credentials                       | type   |
      | the server key "reporting"        | server |
      | the password of "ada@example.com" | normal |
      | the user key "laptop"             | normal |

  @S8
  Scenario: Every user has a user object of its own
    Given the user "ada@example.com" has signed up and logged in with a password
    And the user "bob@example.com" has signed up and logged in with a password
    When the admin lists the app's users
    Then the app's users are:
      | type   | identity       | data                  |
      | server | api-key        | name=reporting        |
      | normal | local-userpass | email=ada@example.com |
      | normal | local-userpass | email=bob@example.com |
    And every user object has its own _id and the fields type, data, custom_data and identities
    And every user reads its own profile
