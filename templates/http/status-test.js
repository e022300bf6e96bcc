client.test(config.test, function () {
  client.assert(response.status === config.status, "Coupa answered " + response.status);
});
