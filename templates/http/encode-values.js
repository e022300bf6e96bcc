// Every value the request puts into its URL or form, percent-encoded, or
// into its JSON body, as JSON (a string quoted and escaped, every '{' as
// \u007b so that httpyac finds no variable in it; a number or boolean as
// itself): from the process environment (httpyac; with several instances,
// first the variable the chosen environment names), the client's globals or
// the file's environment.
function value(name, processEnv, hint, instanceEnv) {
  var own = instanceEnv ? request.environment.get(instanceEnv) : undefined;
  var v = typeof process === "undefined" ? undefined : (own && process.env[own]) || (processEnv && process.env[processEnv]);
  if (v === undefined || v === null || v === "") v = client.global.get(name);
  if (v === undefined || v === null || v === "") v = request.environment.get(name);
  if (v === undefined || v === null || v === "") throw new Error(name + " is not set: " + hint);
  return String(v);
}
function json(v, text) {
  if (v.json === "string") return JSON.stringify(text).replace(/\{/g, "\\u007b");
  if (!/^(-?(0|[1-9][0-9]*)(\.[0-9]+)?|true|false)$/.test(text)) throw new Error(v.name + " is a number or true or false, not " + JSON.stringify(text));
  return text;
}
config.values.forEach(function (v) {
  var text = value(v.name, v.processEnv, v.hint, v.instanceEnv);
  request.variables.set(v.variable, v.json ? json(v, text) : encodeURIComponent(text));
});
