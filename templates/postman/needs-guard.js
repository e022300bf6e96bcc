// Runs only when every variable in config.needs is set (an environment value,
// or --env-var in newman).
const missing = config.needs.filter(function (name) {
  return !pm.variables.get(name);
});
if (missing.length) {
  console.log('Skipped ' + JSON.stringify(pm.info.requestName) + ': ' + missing.join(' and ') + ' not set.');
  pm.execution.skipRequest();
}
