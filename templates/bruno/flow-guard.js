// An auth-flow request runs only with what the person supplies: a fresh code
// (--env-var), or a refresh token in the process environment.
const given = config.flowNeeds.from === "process" ? bru.getProcessEnv(config.flowNeeds.name) : bru.getEnvVar(config.flowNeeds.name);
if (!given) {
  console.log("Skipped: " + config.flowNeeds.name + " not set.");
  bru.runner.skipRequest();
}
