// Coupa asks for config.bufferSeconds s between a new token and its first
// use; requests do not wait, but a 401 on a younger token runs this request
// again once the token is that old, and a 401 on an older one (revoked
// mid-run) fetches a new token (config.token) first. A 429 runs it again after
// its Retry-After (at most config.retryAfterMax s). Each once: the status is
// judged here, not in an assert block, so a refused answer sent again is no
// failure. (setNextRequest finds a request by its name.)
const retried = JSON.parse(bru.getVar(config.retryVar) || "{}");
const retry = retried.name === req.getName() ? retried : { name: req.getName() };
const issued = Number(bru.getVar(config.issuedVar) || 0);
const tokenAge = Date.now() - issued;
let retrying = "";
let pause = 0;
if (res.status === 401 && issued && !retry.waited && tokenAge < config.bufferSeconds * 1000) {
  retry.waited = true;
  pause = config.bufferSeconds * 1000 - tokenAge;
  retrying = "HTTP 401 on a token " + tokenAge + " ms old: sent again once it is " + config.bufferSeconds + " s old (Coupa's token buffer)";
} else if (res.status === 401 && issued && config.token && !retry.renewed) {
  retry.renewed = true;
  retry.waited = false;
  const answer = await bru.sendRequest({
    method: config.token.method,
    url: bru.interpolate(config.token.url),
    headers: Object.fromEntries(config.token.headers.map((h) => [h.key, bru.interpolate(h.value)])),
    data: config.token.form.map((f) => encodeURIComponent(f.key) + "=" + encodeURIComponent(bru.interpolate(f.value))).join("&"),
    maxRedirects: 0,
    validateStatus: () => true
  });
  if (answer.status === 200 && answer.data && answer.data[config.accessTokenField]) {
    bru.setVar(config.tokenVar, answer.data[config.accessTokenField]);
    bru.setVar(config.issuedVar, Date.now());
    retrying = "HTTP 401 on a token " + tokenAge + " ms old (revoked?): sent again with a new token";
  } else {
    console.log("A new token was refused: HTTP " + answer.status);
  }
} else if (res.status === 429 && !retry.limited) {
  const after = Number(res.getHeader("retry-after") || 1);
  if (after >= 0 && after <= config.retryAfterMax) {
    retry.limited = true;
    pause = after * 1000;
    retrying = "HTTP 429 (Coupa's rate limit): sent again after " + after + " s (Retry-After)";
  }
}
if (retrying) {
  bru.setVar(config.retryVar, JSON.stringify(retry));
  console.log(retrying);
  test(retrying, function () {});
  bru.runner.setNextRequest(req.getName());
  await bru.sleep(pause);
} else {
  bru.deleteVar(config.retryVar);
  test("res.status: eq " + config.status, function () {
    expect(res.status, JSON.stringify(res.body)).to.equal(config.status);
  });
}
