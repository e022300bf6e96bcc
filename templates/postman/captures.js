// What the next requests need is kept, or unset so that they skip themselves.
// (Not while the request is sent again: its answer is the refused one.)
if (!retrying) {
  let answer;
  try { answer = pm.response.json(); } catch (e) { answer = undefined; }
  config.captures.forEach(function (c) {
    const records = c.pick ? picked(answer, c.pick, function (p) { return pm.variables.get(p.var); }) : answer;
    const found = pm.response.code !== config.status ? undefined : dug(records, c.path);
    if (found === undefined || found === null || found === '') {
      pm.collectionVariables.unset(c.name);
      console.log(pm.variables.replaceIn(c.ifNone) + '; the requests that need ' + c.name + ' skip themselves.');
      if (c.fails) {
        pm.test(pm.variables.replaceIn(c.ifNone), function () {
          throw new Error('Coupa answered with nothing: check the input values');
        });
      }
    } else if (c.mustBe && c.mustBe.indexOf(String(found)) === -1) {
      // A guard: the rest of the use case is not sent (each later request
      // needs c.name, and skips itself without it).
      pm.collectionVariables.set(c.name, String(found));
      const why = 'stopped: ' + pm.variables.replaceIn(c.otherwise) + ' (' + c.label + ' is ' + JSON.stringify(String(found)) +
        ', not ' + c.mustBe.join(' or ') + '); the rest of the use case is not sent';
      pm.collectionVariables.unset(c.name);
      console.log(why);
      pm.test(why, function () {});
    } else {
      pm.collectionVariables.set(c.name, String(found));
    }
  });
}
