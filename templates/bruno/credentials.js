// A kit of several instances: each credential from the instance's own process
// variable (the environment names it, e.g. COUPA_TEST_CLIENT_ID), else the
// shared one, into a runtime variable, never into a file.
config.credentials.forEach((c) => {
  const own = bru.getEnvVar(c.env);
  const value = (own && bru.getProcessEnv(own)) || bru.getProcessEnv(c.shared);
  if (value) {
    bru.setVar(c.var, value);
    return;
  }
  console.log((c.skips ? "Skipped: " : "error: ") + own + " (or " + c.shared + ") is not set.");
  if (c.skips) {
    bru.runner.skipRequest();
  }
});
