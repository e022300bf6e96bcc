// The token stays in the client's memory, with when it came (Coupa's buffer).
if (response.status === 200) {
  client.global.set(config.token.variable, response.body[config.token.field]);
  client.global.set(config.token.issuedVar, String(Date.now()));
}
