Feature: What keys are doing
  Issue 15. Users of every key system first ask when a key was last used, and from where.
  Every API key records its last login: when, from which address, and with which SDK and
  platform, as the login's device information names them. The admin sees it in the key
  listings (our extension field `last_used`); it is written at most once a minute per key,
  so that logins stay cheap. The service's counters are read by Prometheus at /metrics.

  The scenario about the minute moves the server's clock instead of waiting (the suite's
  servers run with APPSERVICES_TEST_CLOCK=1).

  Background:
    Given an app with the API key provider enabled
    And the admin has created a server API key named "reporting"

  Scenario: A key that never logged in shows no last use
    When the admin lists the app's keys with their last use
    Then the "reporting" key shows no last use

  Scenario: A key shows when, from where and with what it last logged in
    When an SDK "Kotlin" "1.16.0" on "Android" "14" logs in with the "reporting" key
    And the admin lists the app's keys with their last use
    Then the "reporting" key was last used just now from "127.0.0.1"
    And the "reporting" key was last used by the SDK "Kotlin" "1.16.0" on "Android" "14"

  Scenario: The last use is written at most once a minute
    Given the server's clock can be moved
    And an SDK "Kotlin" "1.16.0" on "Android" "14" has logged in with the "reporting" key
    When the server's clock moves 30 seconds ahead
    And an SDK "Dart" "3.2.0" on "Linux" "6.1" logs in with the "reporting" key
    Then the "reporting" key was last used by the SDK "Kotlin" "1.16.0" on "Android" "14"
    When the server's clock moves 31 seconds ahead
    And an SDK "Dart" "3.2.0" on "Linux" "6.1" logs in with the "reporting" key
    Then the "reporting" key was last used by the SDK "Dart" "3.2.0" on "Linux" "6.1"

  Scenario: Prometheus counts the logins by outcome
    Given the metrics have been read once
    When an SDK "Kotlin" "1.16.0" on "Android" "14" logs in with the "reporting" key
    And an SDK "Kotlin" "1.16.0" on "Android" "14" logs in with the "reporting" key
    And someone logs in with a key that does not exist
    Then the metrics count 2 more successful and 1 more refused "api-key" logins
