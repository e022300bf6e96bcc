// Judges the answer; the token request keeps the token in the client's
// memory, a use case's request what the next requests need.
client.test(config.test, function () {
  client.assert(response.status === config.status, "Coupa answered " + response.status);
});
if (config.token && response.status === 200) client.global.set(config.token.variable, response.body[config.token.field]);
config.captures.forEach(function (c) {
  var found = c.keys.reduce(function (v, k) { return v === undefined || v === null ? undefined : v[k]; }, response.status === 200 ? response.body : undefined);
  if (found === undefined || found === null) client.global.clear(c.name); else client.global.set(c.name, String(found));
});
