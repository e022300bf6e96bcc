// Fetches a Coupa token before any request but the auth flow's own when none
// is stored or it expires within config.renewHours hours, so every request
// runs on its own, in the Postman app and in newman (which ignores OAuth2 auth
// blocks). With user consent the token is refreshed, which needs the person's
// refresh token (config.tokenNeeds).
// Coupa allows config.burst requests in a burst (25 a second): in a run, at
// most config.burst start in any one second.
const starts = JSON.parse(pm.variables.get(config.startsVar) || '[]');
const paceWait = starts.length >= config.burst ? starts[starts.length - config.burst] + 1000 - Date.now() : 0;
starts.push(Date.now() + Math.max(paceWait, 0));
pm.variables.set(config.startsVar, JSON.stringify(starts.slice(-config.burst)));
setTimeout(function () {}, Math.max(paceWait, 0));
if (environmentProblem) {
  console.error(environmentProblem);
}
const expiresAt = Number(pm.collectionVariables.get(config.expiryVar) || 0);
const fresh = pm.collectionVariables.get(config.tokenVar) && expiresAt - Date.now() > config.renewHours * 3600 * 1000;
const inFlow = config.flowItems.indexOf(pm.info.requestName) !== -1;
const supplied = config.tokenNeeds === null || Boolean(pm.variables.get(config.tokenNeeds));
if (!inFlow && !fresh && !supplied) {
  console.error('No Coupa access token: set ' + config.tokenNeeds + ' (see the collection description).');
}
// Postman's scripts cannot refuse a redirect, which would carry the form,
// secret and all, on: after the token request was redirected, none is sent.
const redirected = pm.collectionVariables.get(config.redirectedVar);
if (!inFlow && !fresh && redirected) {
  console.error('Coupa\'s token request was redirected to ' + redirected + ' (not followed: its form holds the secret); no token is fetched until it answers without a redirect.');
}
if (!inFlow && !fresh && !redirected && !environmentProblem && supplied) {
  pm.sendRequest({
    url: pm.variables.replaceIn(config.token.url),
    method: config.token.method,
    header: config.token.header,
    body: {
      mode: 'urlencoded',
      urlencoded: config.token.form.map(function (f) {
        return { key: f.key, value: pm.variables.replaceIn(f.value) };
      })
    }
  }, function (err, res) {
    if (err) {
      console.error('Coupa token request failed:', err);
      return;
    }
    let body = {};
    try { body = res.json(); } catch (e) { /* reported below */ }
    if (res.code !== 200 || !body[config.accessTokenField]) {
      console.error('Coupa token request answered ' + res.code + ': ' + res.text());
      return;
    }
    storeToken(body);
  });
}
