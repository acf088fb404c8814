// Verify tokens with jose's createRemoteJWKSet, as a Node backend would.
// Usage: node jose_verify.js <jwks_uri> <issuer> <audience> <token>...
// Prints a JSON list: {ok: true, sub, kid} or {ok: false, code} per token.
const { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } = require("jose");

async function main() {
  const [jwksUri, issuer, audience, ...tokens] = process.argv.slice(2);
  // cooldownDuration 0: the test does not wait out jose's default 30 s between refetches.
  const jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 0 });
  const results = [];
  for (const token of tokens) {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ["ES256"] });
      results.push({ ok: true, sub: payload.sub, kid: decodeProtectedHeader(token).kid });
    } catch (error) {
      results.push({ ok: false, code: error.code || error.name });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => { console.error(error); process.exit(1); });
