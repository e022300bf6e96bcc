// Changes Coupa data: sent only when allowed (the JetBrains client has no
// @disabled).
if (String(request.environment.get(config.writes.variable)) !== "true") throw new Error(config.writes.refused);
