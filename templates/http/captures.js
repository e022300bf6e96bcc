// What the next requests need, kept, or cleared so that they skip themselves.
config.captures.forEach(function (c) {
  var found = c.keys.reduce(function (v, k) { return v === undefined || v === null ? undefined : v[k]; }, response.status === 200 ? response.body : undefined);
  if (found === undefined || found === null) client.global.clear(c.name); else client.global.set(c.name, String(found));
});
