// The token request keeps the token in a runtime variable (never a file); a
// use case's request keeps what the next requests need.
if (config.tokenVar) {
  bru.setVar(config.tokenVar, res.body[config.accessTokenField]);
}
config.captures.forEach((c) => {
  bru.setVar(c.name, c.keys.reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), res.status === 200 ? res.body : undefined));
});
