// Without the environment, the credential variables are unknown and the token
// request would send the placeholders literally: say which environment to select.
const environmentMissing = config.environmentVars.filter(function (name) {
  return pm.variables.get(name) === undefined;
});
const selectEnvironment = 'Select the environment ' + config.environmentName + ' (import ' + config.environmentFile + ' if it is not there) and fill in ' + environmentMissing.join(' and ') + ' as current values.';
