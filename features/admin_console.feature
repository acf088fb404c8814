Feature: The admin console enables the API key provider and creates server keys
  The seed page, "Enable API Key Authentication": you can enable and configure the API Key
  authentication provider from the App Services UI by selecting API Keys from the
  Authentication page; the provider does not have any configuration options. And "Create a
  Server API Key", in the UI: select App Users from the left navigation menu; select the
  Authentication Providers button and then select the API Keys provider; if the API Key
  provider is not currently enabled, you must enable it and then deploy your changes
  before you can create a key; click Create API Key; enter a unique name for the key and
  then click Save. You must copy the server key's value as soon as you create it: once
  you create the API key, you can no longer retrieve it.

  Here the UI is the service's admin console, /console, and the admin is a person at a
  real browser (Debian's Chromium, driven by Playwright), signed in with the admin key
  pair, clicking what the page shows. The console has nothing to deploy: enabling the
  provider takes effect at once. What the admin did is checked over HTTP, through the
  Admin API and the Client API.

  Background:
    Given a new app
    And the admin has signed in to the console with the admin key pair
    And the admin has opened the app from the console's Apps page

  @S5
  Scenario: An admin enables the API Key provider from the Authentication page
    When the admin selects "Authentication" from the left navigation menu
    Then the Authentication page lists the "API Keys" provider as "Disabled"
    When the admin selects "API Keys" from the Authentication page
    Then the page says "It has no configuration options."
    And the page offers no configuration options, only "Enable the API Keys provider"
    When the admin clicks "Enable the API Keys provider"
    Then the page says "The API Keys provider is enabled."
    And the page shows the provider's state as "Enabled"
    And the app's "api-key" provider is enabled
    And the Admin API shows no configuration for the "api-key" provider
    And the page offers no configuration options, only "Disable the API Keys provider"
    When the admin clicks "Disable the API Keys provider"
    Then the page says "The API Keys provider is disabled."
    And the page shows the provider's state as "Disabled"
    And the app's "api-key" provider is disabled
    And the page offers no configuration options, only "Enable the API Keys provider"
    When the admin selects "Authentication" from the left navigation menu
    Then the Authentication page lists the "API Keys" provider as "Disabled"

  @S16
  Scenario: An admin creates a server API key by following the documented steps
    When the admin selects "App Users" from the left navigation menu
    And the admin selects the "Authentication Providers" button and then the "API Keys" provider
    Then the page says "The API Keys provider is disabled."
    And the page says "Enable it before you create a key."
    And the page says "The change takes effect at once: there is nothing to deploy."
    When the admin clicks "Enable the API Keys provider"
    Then the page says "The API Keys provider is enabled."
    And the app's "api-key" provider is enabled
    When the admin clicks "Create API Key"
    And the admin enters a unique name for the key, "reporting", and then clicks "Save"
    Then the page shows the value of the new "reporting" key once, with the warning "This is the only time it is shown: it cannot be retrieved later."
    And logging in with the "reporting" key, copied at creation, succeeds
    When the admin clicks "I have copied the key: back to API Keys"
    Then the API Keys list shows the "reporting" key as "Enabled", without its value
    When the admin reloads the page
    Then the API Keys list shows the "reporting" key as "Enabled", without its value
    When the admin selects "App Users" from the left navigation menu
    And the admin selects the "Authentication Providers" button and then the "API Keys" provider
    Then the API Keys list shows the "reporting" key as "Enabled", without its value
    And the Admin API lists the app's server API keys as "reporting" alone, without its value
    And logging in with the "reporting" key, copied at creation, succeeds

  @S16
  Scenario: A duplicate name is refused in words and the form keeps the name
    Given the admin has enabled the "api-key" provider
    And the admin has created a server API key named "reporting"
    When the admin selects "App Users" from the left navigation menu
    And the admin selects the "Authentication Providers" button and then the "API Keys" provider
    And the admin clicks "Create API Key"
    And the admin enters the name "reporting" for the key and then clicks "Save"
    Then the form says "An API key named 'reporting' already exists."
    And the "API key name" field still holds "reporting"
    And the page shows no key's value
    And the app still has 1 server API key
    When the admin changes the name to "reporting-2" and then clicks "Save"
    Then the page shows the value of the new "reporting-2" key once, with the warning "This is the only time it is shown: it cannot be retrieved later."
    And logging in with the "reporting-2" key, copied at creation, succeeds
