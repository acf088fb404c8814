Feature: The appservices command creates server keys and configures providers as files
  The seed page, "Create a Server API Key": to create a new server API key, call
  `appservices users create --type=api-key`. The CLI prompts for the App ID and for a name
  for the new key; the two can also be given when the program is called,
  `appservices users create --type=api-key --app=<Your App ID> --name=<API Key Name>`.
  And "Enable API Key Authentication": with the App Services CLI, the provider is defined
  by a configuration object in /auth/providers.json, of the form
  { "api-key": { "name": "api-key", "type": "api-key", "disabled": false } },
  where the name of an authentication provider is always the same as its type.

  Each step that runs a command runs the real `appservices` program in a process of its
  own, in a scenario folder of its own, logged in with the admin key pair to the server
  under test. In a command, $APP_ID stands for the client App ID of the scenario's app
  (what the SDKs are configured with, e.g. myapp-abcde). What a command did is then
  checked over HTTP, through the Admin API and the Client API.

  Background:
    Given the admin has logged in with "appservices login"
    And a new app

  @S17
  Scenario: A server key is created with the App ID and the name given as options
    Given the admin has enabled the "api-key" provider
    When the admin runs "appservices users create --type=api-key --app=$APP_ID --name=reporting"
    Then the command succeeds
    And it printed the value of the new "reporting" key once, and said to copy it now
    And logging in with the "reporting" key, copied at creation, succeeds
    And the app's server API keys, none showing its value, are:
      | name      | status  |
      | reporting | enabled |

  @S17
  Scenario: The command prompts for the App ID and the name
    Given the admin has enabled the "api-key" provider
    When the admin runs "appservices users create --type=api-key" and answers its prompts with:
      | $APP_ID        |
      | nightly-export |
    Then the command succeeds
    And it asked for "App ID" and then for "API Key Name"
    And it printed the value of the new "nightly-export" key once, and said to copy it now
    And logging in with the "nightly-export" key, copied at creation, succeeds
    And the app's server API keys, none showing its value, are:
      | name           | status  |
      | nightly-export | enabled |

  @S6
  Scenario: pull writes auth/providers.json in the documented form
    When the admin runs "appservices pull --local ./myapp --app $APP_ID"
    Then the command succeeds
    And "myapp/auth/providers.json" holds exactly this JSON:
      """
      { "api-key": { "name": "api-key", "type": "api-key", "disabled": true } }
      """

  @S6
  Scenario: Setting "disabled" to false and pushing enables the provider
    Given the admin has run "appservices pull --local ./myapp --app $APP_ID"
    When the admin sets "disabled" to false in the "api-key" entry of "myapp/auth/providers.json"
    And the admin runs "appservices push --local ./myapp --yes"
    Then the command succeeds
    And it printed the change "~ api-key  enable"
    And the app's "api-key" provider is enabled
    When the admin runs "appservices users create --type=api-key --app=$APP_ID --name=reporting"
    Then the command succeeds
    And logging in with the "reporting" key, copied at creation, succeeds

  @S6 @S7
  Scenario: A provider whose name differs from its type is refused and nothing changes
    Given the admin has run "appservices pull --local ./myapp --app $APP_ID"
    When the admin writes "myapp/auth/providers.json":
      """
      { "api-key": { "name": "apikey", "type": "api-key", "disabled": false } }
      """
    And the admin runs "appservices push --local ./myapp --yes"
    Then the command fails with exit status 1 and says:
      """
      Error: myapp/auth/providers.json: entry "api-key": name "apikey" differs from its type "api-key": the name of an authentication provider is always the same as its type
      Nothing was changed.
      """
    And the app's providers, their ids and configurations are as they were before that command
    And the app's "api-key" provider is disabled

  @S6
  Scenario: Pulling and pushing back an unchanged folder changes nothing
    Given the admin has enabled the "api-key" provider
    And the app lets users sign up with email and password
    And the admin has run "appservices pull --local ./myapp --app $APP_ID"
    When the admin runs "appservices push --local ./myapp --yes"
    Then the command succeeds
    And it printed "Nothing to change"
    And the app's providers, their ids and configurations are as they were before that command
    And pulling the app again into "./again" writes the same auth/providers.json as "./myapp"
