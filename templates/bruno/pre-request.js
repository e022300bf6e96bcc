// A request runs only when it can and may: one that changes Coupa data only
// when config.writesVar is "true"; an auth-flow request only with what the
// person supplies (config.flowNeeds); a use case's only when its values are set.
if (config.writes && bru.getEnvVar(config.writesVar) !== "true") {
  console.log("Skipped: it changes Coupa data; set " + config.writesVar + " to true to run it.");
  bru.runner.skipRequest();
}
if (config.flowNeeds) {
  const given = config.flowNeeds.from === "process" ? bru.getProcessEnv(config.flowNeeds.name) : bru.getEnvVar(config.flowNeeds.name);
  if (!given) {
    console.log("Skipped: " + config.flowNeeds.name + " not set.");
    bru.runner.skipRequest();
  }
}
const missing = config.needs.filter((n) => !bru.getVar(n) && !bru.getEnvVar(n));
if (missing.length) {
  console.log("Skipped: " + missing.join(" and ") + " not set.");
  bru.runner.skipRequest();
}
// Bruno puts a variable's value into the URL as it stands: encode the use
// case's values, so that a '&' or '#' in one stays inside it.
if (config.needs.length) {
  let url = req.getUrl();
  config.needs.forEach((n) => {
    url = url.split("{{" + n + "}}").join(encodeURIComponent(bru.getVar(n) ?? bru.getEnvVar(n)));
  });
  req.setUrl(url);
}
