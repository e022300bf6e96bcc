// What the next requests need, in runtime variables.
config.captures.forEach((c) => {
  bru.setVar(c.name, c.keys.reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), res.status === 200 ? res.body : undefined));
});
