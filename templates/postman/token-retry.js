// Coupa asks for config.bufferSeconds s between a new token and its first
// use; requests do not wait, but a 401 on a younger token sends the request
// again once the token is that old, and a 401 on an older one (revoked
// mid-run) drops the token, so the collection's pre-request fetches a new one
// first. A 429 is sent again after its Retry-After (at most
// config.retryAfterMax s). Each once; setNextRequest works in a collection run
// (newman, the Collection Runner), not for a request sent alone.
const retried = JSON.parse(pm.variables.get(config.retryVar) || '{}');
const retry = retried.id === pm.info.requestId ? retried : { id: pm.info.requestId };
const issued = Number(pm.collectionVariables.get(config.issuedVar) || 0);
const tokenAge = Date.now() - issued;
let retrying = '';
let pause = 0;
if (pm.response.code === 401 && issued && !retry.waited && tokenAge < config.bufferSeconds * 1000) {
  retry.waited = true;
  pause = config.bufferSeconds * 1000 - tokenAge;
  retrying = 'HTTP 401 on a token ' + tokenAge + ' ms old: sent again once it is ' + config.bufferSeconds + ' s old (Coupa\'s token buffer)';
} else if (pm.response.code === 401 && issued && !retry.renewed) {
  retry.renewed = true;
  retry.waited = false;
  pm.collectionVariables.unset(config.tokenVar);
  pm.collectionVariables.unset(config.issuedVar);
  retrying = 'HTTP 401 on a token ' + tokenAge + ' ms old (revoked?): sent again with a new token';
} else if (pm.response.code === 429 && !retry.limited) {
  const after = Number(pm.response.headers.get('Retry-After') || 1);
  if (after >= 0 && after <= config.retryAfterMax) {
    retry.limited = true;
    pause = after * 1000;
    retrying = 'HTTP 429 (Coupa\'s rate limit): sent again after ' + after + ' s (Retry-After)';
  }
}
if (retrying) {
  pm.variables.set(config.retryVar, JSON.stringify(retry));
  console.log(retrying);
  pm.test(retrying, function () {});
  pm.execution.setNextRequest(pm.info.requestId);
  setTimeout(function () {}, pause);
} else {
  pm.variables.unset(config.retryVar);
}
