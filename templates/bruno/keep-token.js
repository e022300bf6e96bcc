// The token stays in a runtime variable, never in a file of the collection.
bru.setVar(config.tokenVar, res.body[config.accessTokenField]);
