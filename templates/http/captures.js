// What the next requests need, kept, or cleared so that they skip themselves;
// from the last answer (answered: token-retry.js may have sent it again).
config.captures.forEach(function (c) {
  var answer = answered.status === config.status ? answered.body : undefined;
  var records = c.pick ? picked(answer, c.pick, function (p) {
    // As encode-values.js finds a value: the process's, the globals', the file's.
    var v = typeof process === "undefined" || !p.processEnv ? undefined : process.env[p.processEnv];
    if (v === undefined || v === null || v === "") v = client.global.get(p.var);
    if (v === undefined || v === null || v === "") v = request.environment.get(p.var);
    return v;
  }) : answer;
  var found = dug(records, c.keys);
  if (found !== undefined && found !== null && c.mustBe && c.mustBe.indexOf(String(found)) === -1) {
    // A guard: every later request of the use case needs c.name, and is
    // disabled without it.
    var why = "stopped: " + c.label + " is " + JSON.stringify(String(found)) + ", not " + c.mustBe.join(" or ") + "; the rest of the use case is not sent";
    client.log(why);
    client.test(why, function () {});
    found = undefined;
  }
  if (found === undefined || found === null) client.global.clear(c.name); else client.global.set(c.name, String(found));
});
