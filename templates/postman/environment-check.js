// Without the environment, the credential variables are unknown and the token
// request would send the placeholders literally: say which environment to select.
const environmentMissing = config.environmentVars.filter(function (name) {
  return pm.variables.get(name) === undefined;
});
const selectEnvironment = 'Select the environment ' + config.environmentName + ' (import ' + config.environmentFile + ' if it is not there) and fill in ' + environmentMissing.join(' and ') + ' as current values.';
// Selected but left empty (imported, never filled in), the token request
// would fail as invalid_client: say which value to fill in, and where.
const environmentEmpty = config.environmentVars.filter(function (name) {
  const value = pm.variables.get(name);
  return value !== undefined && String(value).trim() === '';
});
const fillEnvironment = 'The environment ' + config.environmentName + ' is selected, but ' + environmentEmpty.join(' and ') + (environmentEmpty.length > 1 ? ' are' : ' is') + ' empty: fill in the Coupa client\'s value in the Current value column (Environments > ' + config.environmentName + '), or give newman --env-var ' + environmentEmpty.map(function (name) { return name + '=...'; }).join(' --env-var ') + '.';
const environmentProblem = environmentMissing.length ? selectEnvironment : (environmentEmpty.length ? fillEnvironment : '');
