// What the next requests need, in runtime variables.
config.captures.forEach((c) => {
  const answer = res.status === config.status ? res.body : undefined;
  const records = c.pick ? picked(answer, c.pick, (p) => bru.getVar(p.var) ?? bru.getEnvVar(p.var)) : answer;
  let found = dug(records, c.keys);
  if (found !== undefined && found !== null && c.mustBe && !c.mustBe.includes(String(found))) {
    // A guard: the rest of the use case is not sent (each later request
    // needs c.name, and skips itself without it).
    const named = (n) => (n === c.name ? String(found) : bru.getVar(n) ?? bru.getEnvVar(n) ?? "");
    const why = "stopped: " + c.otherwise.replace(/\{\{([a-z][a-z0-9_]*)\}\}/g, (_, n) => named(n)) + " (" + c.label + " is " +
      JSON.stringify(String(found)) + ", not " + c.mustBe.join(" or ") + "); the rest of the use case is not sent";
    console.log(why);
    test(why, function () {});
    found = undefined;
  }
  bru.setVar(c.name, found);
});
