// Changes Coupa data: runs only when config.writesVar is "true".
if (bru.getEnvVar(config.writesVar) !== "true") {
  console.log("Skipped: it changes Coupa data; set " + config.writesVar + " to true to run it.");
  bru.runner.skipRequest();
}
