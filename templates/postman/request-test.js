// Judges an API answer; a use case's request shows Coupa's answer when the
// status is wrong, and keeps what the next requests need.
if (environmentMissing.length) {
  pm.test('the environment is selected', function () { throw new Error(selectEnvironment); });
}
pm.test('request answers 200', function () {
  if (config.explains) {
    pm.expect(pm.response.code, 'Coupa answered: ' + pm.response.text()).to.equal(200);
  } else {
    pm.response.to.have.status(200);
  }
});
pm.test(config.list ? 'answer is a JSON array' : 'answer is a JSON object', function () {
  pm.expect(pm.response.json(), pm.response.text()).to.be.an(config.list ? 'array' : 'object');
});
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
