// Several instances, one environment each: a stored token is the instance's
// that issued it. After a switch of environment it is dropped, and the
// instance now chosen issues its own.
const tokenInstance = pm.variables.get(config.instanceVar);
if (pm.collectionVariables.get(config.tokenInstanceVar) !== tokenInstance) {
  pm.collectionVariables.set(config.tokenVar, '');
  pm.collectionVariables.set(config.expiryVar, '');
  pm.collectionVariables.set(config.tokenInstanceVar, tokenInstance);
}
