// What the next requests need is kept, or unset so that they skip themselves.
let answer;
try { answer = pm.response.json(); } catch (e) { answer = undefined; }
config.captures.forEach(function (c) {
  const found = pm.response.code !== 200 ? undefined : c.path.reduce(function (v, k) {
    return v === undefined || v === null ? undefined : v[k];
  }, answer);
  if (found === undefined || found === null || found === '') {
    pm.collectionVariables.unset(c.name);
    console.log(pm.variables.replaceIn(c.ifNone) + '; the requests that need ' + c.name + ' skip themselves.');
    if (c.fails) {
      pm.test(pm.variables.replaceIn(c.ifNone), function () {
        throw new Error('Coupa answered with nothing: check the input values');
      });
    }
  } else {
    pm.collectionVariables.set(c.name, String(found));
  }
});
