// Changes Coupa data: runs only when config.writesVar is "true".
if (pm.variables.get(config.writesVar) !== 'true') {
  console.log('Skipped ' + JSON.stringify(pm.info.requestName) + ': it changes Coupa data; set ' + config.writesVar + ' to true to run it.');
  pm.execution.skipRequest();
}
