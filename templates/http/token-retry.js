// Coupa asks for config.bufferSeconds s between a new token and its first
// use; requests do not wait, but in httpyac this script sends the request
// again: after a 401 on a younger token once it is that old, after a 401 on
// an older one (revoked mid-run) with a new token, after a 429 once its
// Retry-After (at most config.retryAfterMax s) is over; each once. It sends
// from a node child process (the request on its standard input, the answer
// on its standard output), since a handler script cannot await; the JetBrains
// client has none, so there the first answer stands.
var resends = typeof process !== "undefined" && typeof require !== "undefined";
var issued = Number(client.global.get(config.issuedVar) || 0);
var answered = { status: response.status, body: response.body, retryAfter: response.headers.valueOf("retry-after") };
function known(name, processEnv, instanceEnv) {
  var own = instanceEnv ? request.environment.get(instanceEnv) : undefined;
  var v = (own && process.env[own]) || (processEnv ? process.env[processEnv] : undefined);
  if (v === undefined || v === null || v === "") v = client.global.get(name);
  if (v === undefined || v === null || v === "") v = request.environment.get(name);
  return v === undefined || v === null ? "" : String(v);
}
function text(parts) {
  return parts.map(function (p) { return p.name ? known(p.name, p.processEnv, p.instanceEnv) : p.text; }).join("");
}
function send(sent) {
  var fetcher = "let s='';process.stdin.on('data',(d)=>{s+=d;}).on('end',async()=>{const r=JSON.parse(s);" +
    "const a=await fetch(r.url,{method:r.method,headers:r.headers,body:r.body||undefined,redirect:'manual'});" +
    "const t=await a.text();let b=t;try{b=JSON.parse(t);}catch(e){}" +
    "process.stdout.write(JSON.stringify({status:a.status,body:b,retryAfter:a.headers.get('retry-after')}));});";
  try {
    return JSON.parse(require("child_process").execFileSync(process.execPath, ["-e", fetcher], { input: JSON.stringify(sent) }).toString());
  } catch (e) {
    client.log("Not sent again: " + e.message);
    return { status: 0, body: null, retryAfter: null };
  }
}
function newToken() {
  var t = config.token;
  var answer = send({
    method: "POST",
    url: text(t.url),
    headers: t.headers,
    body: t.form.map(function (f) { return encodeURIComponent(f.key) + "=" + encodeURIComponent(text(f.value)); }).join("&")
  });
  if (answer.status === 200 && answer.body && answer.body[config.accessTokenField]) {
    client.global.set(config.tokenVar, answer.body[config.accessTokenField]);
    issued = Date.now();
    client.global.set(config.issuedVar, String(issued));
    return true;
  }
  client.log("A new token was refused: HTTP " + answer.status);
  return false;
}
function sendAgain() {
  var headers = {};
  request.headers.all().forEach(function (h) {
    if (h.name.toLowerCase() !== config.authorization.toLowerCase()) headers[h.name] = h.getRawValue();
  });
  headers[config.authorization] = config.bearer + client.global.get(config.tokenVar);
  return send({ method: request.method, url: request.url.getRaw(), headers: headers, body: request.body.getRaw() || undefined });
}
function pause(ms) {
  // A handler script has no timer to await: node's Atomics.wait blocks.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(ms, 0));
}
var waited = false;
var renewed = false;
var limited = false;
while (resends) {
  var tokenAge = Date.now() - issued;
  var after = Number(answered.retryAfter || 1);
  var why;
  if (answered.status === 401 && issued && !waited && tokenAge < config.bufferSeconds * 1000) {
    waited = true;
    why = "HTTP 401 on a token " + tokenAge + " ms old: sent again once it is " + config.bufferSeconds + " s old (Coupa's token buffer)";
    pause(config.bufferSeconds * 1000 - tokenAge);
  } else if (answered.status === 401 && issued && config.token && !renewed) {
    renewed = true;
    waited = false;
    if (!newToken()) break;
    why = "HTTP 401 on a token " + tokenAge + " ms old (revoked?): sent again with a new token";
  } else if (answered.status === 429 && !limited && after >= 0 && after <= config.retryAfterMax) {
    limited = true;
    why = "HTTP 429 (Coupa's rate limit): sent again after " + after + " s (Retry-After)";
    pause(after * 1000);
  } else {
    break;
  }
  client.log(why);
  client.test(why, function () {});
  answered = sendAgain();
}
client.test(config.test, function () {
  client.assert(answered.status === config.status, "Coupa answered " + answered.status);
});
