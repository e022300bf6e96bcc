// The token stays in a runtime variable, never in a file of the collection;
// when it came, for Coupa's token buffer.
bru.setVar(config.tokenVar, res.body[config.accessTokenField]);
bru.setVar(config.issuedVar, res.body[config.accessTokenField] ? Date.now() : 0);
