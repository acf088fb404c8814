Feature: Backends verify our tokens with the published keys; rotating the key logs nobody out
  Client tokens are signed with an asymmetric key named in their `kid`. The public keys
  are at /.well-known/jwks.json and /.well-known/openid-configuration says where, so a
  team's own backend checks tokens with the JWKS client it already uses (here PyJWT's
  PyJWKClient), pinning the issuer and the app's client App ID as audience. An admin
  rotates the key; the old one stays published until every token it signed has expired.

  Scenario: Verifying tokens in your own backend
    Given an app with the API key provider enabled
    And the admin has created a server API key named "backend"
    When someone logs in with the "backend" key
    Then a JWKS client verifies the new session's access and refresh tokens
    And the server refuses the access token re-signed with an unknown key
    And the server refuses the access token re-signed with "alg" "none"
    And the server refuses the access token re-signed with HS256 and the public key as secret

  Scenario: Rotating the signing key
    Given an app with the API key provider enabled
    And the admin has created a server API key named "backend"
    And the server's clock can be moved
    And someone has logged in with the "backend" key
    When the admin rotates the signing key
    Then new logins are signed with the new key
    And the earlier session's access token still reads the profile
    And a JWKS client verifies the earlier and the new session's tokens
    When the server's clock moves 61 days ahead
    Then the old key is no longer published
