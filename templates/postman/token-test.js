// Checks the token answer and stores the token for the API requests.
pm.test('token request answers 200', function () {
  pm.response.to.have.status(200);
});
// The form holds the secret, so a redirect is not followed (the item says
// so); until the token request answers without one, no pre-request sends it.
if (pm.response.code >= 300 && pm.response.code < 400) {
  pm.collectionVariables.set(config.redirectedVar, pm.response.headers.get('Location') || 'an address Coupa did not name');
} else {
  pm.collectionVariables.unset(config.redirectedVar);
}
let body = {};
try { body = pm.response.json(); } catch (e) { /* not JSON: the test below fails */ }
pm.test('answer holds an access_token', function () {
  pm.expect(body[config.accessTokenField], pm.response.text()).to.be.a('string').that.is.not.empty;
});
if (config.expectsRefresh) {
  pm.test('answer holds a refresh_token (the client has offline_access)', function () {
    pm.expect(body[config.refreshTokenField], 'Coupa issued no refresh token: give the client the offline_access scope').to.be.a('string').that.is.not.empty;
  });
}
if (body[config.accessTokenField]) {
  storeToken(body);
}
