// Keeps the token answer's access token, when it came (for Coupa's token
// buffer) and when it expires; with user consent, the person's refresh token
// goes to the environment (a current value, never shared), not to the
// collection, which people share.
function storeToken(body) {
  pm.collectionVariables.set(config.tokenVar, body[config.accessTokenField]);
  pm.collectionVariables.set(config.issuedVar, String(Date.now()));
  pm.collectionVariables.set(config.expiryVar, String(Date.now() + Number(body[config.expiresInField] || 0) * 1000));
  if (config.refreshVar && body[config.refreshTokenField]) {
    pm.environment.set(config.refreshVar, body[config.refreshTokenField]);
  }
}
