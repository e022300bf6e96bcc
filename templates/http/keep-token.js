// The token stays in the client's memory.
if (response.status === 200) client.global.set(config.token.variable, response.body[config.token.field]);
