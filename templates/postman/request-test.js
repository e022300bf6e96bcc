// Judges an API answer; a use case's request shows Coupa's answer when the
// status is wrong. (The collection's own test says what the environment lacks.)
if (!retrying) {
  pm.test('request answers ' + config.status, function () {
    if (config.explains) {
      pm.expect(pm.response.code, 'Coupa answered: ' + pm.response.text()).to.equal(config.status);
    } else {
      pm.response.to.have.status(config.status);
    }
  });
  pm.test(config.list ? 'answer is a JSON array' : 'answer is a JSON object', function () {
    pm.expect(pm.response.json(), pm.response.text()).to.be.an(config.list ? 'array' : 'object');
  });
}
