// Drives the real realm-web SDK (2.x) against an appservices-auth server and prints
// what it saw as one JSON object. Run by tests/interop/test_realm_web.py.
//
// Usage: node realm_web_flow.js <base-url> <client-app-id> <server-key> <email> <password>
"use strict";

const Realm = require("realm-web");

async function expectFailure(promise) {
  try {
    await promise;
    return { failed: false };
  } catch (error) {
    return { failed: true, statusCode: error.statusCode, errorCode: error.errorCode,
             error: error.error };
  }
}

async function main() {
  const [baseUrl, appId, serverKey, email, password] = process.argv.slice(2);
  const app = new Realm.App({ id: appId, baseUrl });
  const seen = {};

  // Email/password: register, log in, manage a user API key.
  await app.emailPasswordAuth.registerUser({ email, password });
  const owner = await app.logIn(Realm.Credentials.emailPassword(email, password));
  seen.ownerId = owner.id;
  seen.ownerType = owner.profile === undefined ? null : owner.identities.map((i) => i.providerType);

  const created = await owner.apiKeys.create("laptop");
  seen.createdKeyHasValue = typeof created.key === "string" && created.key.length > 0;
  seen.createdName = created.name;
  seen.createdDisabled = created.disabled;
  const keyId = created._id.toString();
  seen.keyId = keyId;

  const listed = await owner.apiKeys.fetchAll();
  seen.listed = listed.map((k) => ({ id: k._id.toString(), name: k.name, disabled: k.disabled,
                                      hasKey: "key" in k }));
  const fetched = await owner.apiKeys.fetch(created._id);
  seen.fetchedName = fetched.name;

  // Log in with the user key: same user id as the owner (a second App instance, so the
  // SDK cannot take a shortcut through its own user list).
  const second = new Realm.App({ id: appId, baseUrl });
  const viaKey = await second.logIn(Realm.Credentials.apiKey(created.key));
  seen.userKeyLoginId = viaKey.id;
  seen.userKeyIdentities = viaKey.identities.map((i) => i.providerType).sort();
  await viaKey.logOut();

  // Disable the key: its login now fails; enable again; delete it.
  await owner.apiKeys.disable(created._id);
  seen.afterDisable = (await owner.apiKeys.fetch(created._id)).disabled;
  seen.disabledLogin = await expectFailure(
    new Realm.App({ id: appId, baseUrl }).logIn(Realm.Credentials.apiKey(created.key)));
  await owner.apiKeys.enable(created._id);
  seen.afterEnable = (await owner.apiKeys.fetch(created._id)).disabled;
  await owner.apiKeys.delete(created._id);
  seen.afterDelete = (await owner.apiKeys.fetchAll()).length;
  seen.deletedLogin = await expectFailure(
    new Realm.App({ id: appId, baseUrl }).logIn(Realm.Credentials.apiKey(created.key)));

  // Refresh the access token and log out, the way apps do.
  await owner.refreshAccessToken();
  seen.refreshedProfile = (await owner.refreshProfile(), owner.profile.email);
  await owner.logOut();
  seen.ownerStateAfterLogout = owner.state;

  // A server key: the profile says "server".
  const server = await new Realm.App({ id: appId, baseUrl }).logIn(
    Realm.Credentials.apiKey(serverKey));
  await server.refreshProfile();
  seen.serverUserType = server.profile === undefined ? null : server._profile.type;
  seen.serverIdentities = server.identities.map((i) => i.providerType);
  seen.serverName = server.profile.name;
  await server.logOut();

  process.stdout.write(JSON.stringify(seen));
}

main().catch((error) => {
  process.stderr.write(`realm-web flow failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
