// What the next requests need, kept, or cleared so that they skip themselves;
// from the last answer (answered: token-retry.js may have sent it again).
config.captures.forEach(function (c) {
  var found = c.keys.reduce(function (v, k) { return v === undefined || v === null ? undefined : v[k]; }, answered.status === config.status ? answered.body : undefined);
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
