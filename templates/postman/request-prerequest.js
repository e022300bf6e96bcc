// Runs only when every variable in config.needs is set (an environment value,
// or --env-var in newman), and a request that changes Coupa data only when
// config.writesVar is "true".
if (config.writes && pm.variables.get(config.writesVar) !== 'true') {
  console.log('Skipped ' + JSON.stringify(pm.info.requestName) + ': it changes Coupa data; set ' + config.writesVar + ' to true to run it.');
  pm.execution.skipRequest();
}
const missing = config.needs.filter(function (name) {
  return !pm.variables.get(name);
});
if (missing.length) {
  console.log('Skipped ' + JSON.stringify(pm.info.requestName) + ': ' + missing.join(' and ') + ' not set.');
  pm.execution.skipRequest();
}
// Postman puts a variable's value into the URL as it stands: encode the use
// case's values here, so that a '&' or '#' in one stays inside it.
function encoded(text) {
  return text.replace(/\{\{([a-z][a-z0-9_]*)\}\}/g, function (whole, name) {
    return encodeURIComponent(pm.variables.get(name));
  });
}
if (config.encodes) {
  pm.request.url.path = pm.request.url.path.map(encoded);
  pm.request.url.query.each(function (param) {
    if (param.value) {
      param.value = encoded(param.value);
    }
  });
}
