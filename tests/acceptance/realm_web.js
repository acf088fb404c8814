// One step of features/sdk_login.feature done by the real realm-web SDK (2.x).
// Run by tests/acceptance/test_sdk_login.py; prints what the SDK saw as one JSON object.
//
// Usage: node realm_web.js <command>, with a JSON object on standard input:
//   log-in-with-api-key   {baseUrl, appId, key}
//   create-user-api-key   {baseUrl, appId, email, password, name}
"use strict";

const Realm = require("realm-web");

function describe(user) {
  return {
    id: user.id,
    type: user._profile === undefined ? null : user._profile.type,
    identities: user.identities.map((identity) => identity.providerType),
  };
}

async function logInWithApiKey({ baseUrl, appId, key }) {
  const app = new Realm.App({ id: appId, baseUrl });
  const user = await app.logIn(Realm.Credentials.apiKey(key));
  await user.refreshProfile();
  const seen = describe(user);
  await user.logOut();
  return seen;
}

async function createUserApiKey({ baseUrl, appId, email, password, name }) {
  const app = new Realm.App({ id: appId, baseUrl });
  const user = await app.logIn(Realm.Credentials.emailPassword(email, password));
  const created = await user.apiKeys.create(name);
  const listed = await user.apiKeys.fetchAll();
  await user.logOut();
  return {
    userId: user.id,
    id: created._id.toString(),
    name: created.name,
    disabled: created.disabled,
    key: created.key,
    listed: listed.map((key) => ({ name: key.name, disabled: key.disabled, hasValue: "key" in key })),
  };
}

const COMMANDS = { "log-in-with-api-key": logInWithApiKey, "create-user-api-key": createUserApiKey };

async function main() {
  const command = COMMANDS[process.argv[2]];
  if (command === undefined) {
    throw new Error(`unknown command ${process.argv[2]}; known: ${Object.keys(COMMANDS)}`);
  }
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  process.stdout.write(JSON.stringify(await command(JSON.parse(input))));
}

main().catch((error) => {
  process.stderr.write(`realm-web failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
