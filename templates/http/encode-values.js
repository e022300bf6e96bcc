// Every value the request puts into its URL or form, percent-encoded, from
// the process environment (httpyac), the client's globals or the file's
// environment.
function value(name, processEnv, hint) {
  var v = processEnv && typeof process !== "undefined" ? process.env[processEnv] : undefined;
  if (v === undefined || v === null || v === "") v = client.global.get(name);
  if (v === undefined || v === null || v === "") v = request.environment.get(name);
  if (v === undefined || v === null || v === "") throw new Error(name + " is not set: " + hint);
  return encodeURIComponent(String(v));
}
config.values.forEach(function (v) {
  request.variables.set(v.variable, value(v.name, v.processEnv, v.hint));
});
